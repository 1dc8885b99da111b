// POST /api/processes/:pid/restart: one worker replaced with no gap, answered at once or (`wait`) once it is done.
import { z } from "zod";
import { AppError } from "../../errors.ts";
import type { ReplacementOutcome } from "../../master/supervisor-interface.ts";
import type { RouteDeps } from "../context.ts";
import { PROCESS_RESTART_WAIT_MS, type ProcessRestartAnswer } from "../contract.ts";
import { readJsonBody } from "../json-body.ts";
import { route, type RouteSpec } from "../route-spec.ts";
import { findWorker } from "../worker-queries.ts";

const restartBody = z.strictObject({
  wait: z
    .boolean()
    .optional()
    .describe(
      `Answer once the successor serves and this process has exited (or the successor failed its gate: 500 E_RESTART, this one keeps serving), within ${PROCESS_RESTART_WAIT_MS / 1000} s; past that, as without wait`,
    ),
});

const restartAnswer: z.ZodType<ProcessRestartAnswer> = z.object({
  pid: z.number(),
  group: z.string(),
  index: z.number().describe("Its slot in the group"),
  restarting: z.boolean().describe("true: under way (no wait, or past the wait); false: done"),
  newPid: z.number().optional().describe("wait, done: the successor, serving"),
  generation: z.number().optional().describe("wait, done: the successor's generation"),
});

export function processRestartRoute({ ctx, audit }: RouteDeps): RouteSpec {
  return route({
    method: "POST",
    path: "/api/processes/:pid/restart",
    summary: "Replaces one worker process with no gap (its successor is ready before it stops)",
    auth: "token",
    params: { pid: z.int() },
    body: restartBody,
    ok: { status: 202, description: "Restarting, or (wait) replaced", schema: restartAnswer },
    refuses: ["E_NOT_FOUND", "E_RESTART", "E_CONFLICT"],
    handler: async (c) => {
      const { wait } = await readJsonBody(c, restartBody);
      const pid = Number(c.req.param("pid"));
      const outcome = Promise.withResolvers<ReplacementOutcome>();
      const proc = findWorker(ctx.supervisor, pid);
      const ok = proc !== undefined && ctx.supervisor.restartProcess(pid, wait ? outcome.resolve : undefined);
      audit(c, { action: "restart-process", target: c.req.param("pid"), result: ok ? "ok" : "refused: not a current worker process" });
      if (!ok) throw new AppError("E_NOT_FOUND", `no current worker process ${c.req.param("pid")}`);
      const asked = { pid, group: proc.group, index: proc.index, restarting: true };
      if (!wait) return c.json(asked, 202);
      return c.json(await waitedAnswer(asked, outcome.promise), 202);
    },
  });
}

/** The restart's end as the answer (the old process gone from the table and the OS), or still under way at the bound. */
async function waitedAnswer(asked: ProcessRestartAnswer, outcome: Promise<ReplacementOutcome>): Promise<ProcessRestartAnswer> {
  const { pid } = asked;
  const done = outcome.then(async (result) => {
    if (!result.replaced) return result;
    await result.drained;
    return result;
  });
  let timer: Timer | undefined;
  const bound = new Promise<null>((resolve) => (timer = setTimeout(resolve, PROCESS_RESTART_WAIT_MS, null)));
  const result = await Promise.race([done, bound]).finally(() => clearTimeout(timer));
  if (result === null) return asked;
  if (result.replaced) return { ...asked, restarting: false, newPid: result.pid, generation: result.generation };
  // Another action took the slot: trying again after it is the remedy, as for any collision.
  if (result.why === "superseded") throw new AppError("E_CONFLICT", `process ${pid} was not restarted: ${result.message}`);
  throw new AppError("E_RESTART", `process ${pid} was not restarted and keeps serving: ${result.message}`);
}

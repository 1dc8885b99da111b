// The master's actions: POST /api/reload (+ GET /api/reloads/:id to follow it), POST /api/groups/:name/retry,
// POST /api/processes/:pid/restart, POST /api/stop (needs {"confirm": true}).
import type { Hono } from "hono";
import { z } from "zod";
import { AppError, isAppError } from "../../errors.ts";
import type { AdminEnv, RouteDeps } from "../context.ts";
import { readJsonBody } from "../json-body.ts";
import { findWorker } from "../worker-queries.ts";
import type { ListResponse, ReloadRecord } from "../contract.ts";

const reloadBody = z.strictObject({ group: z.string().optional(), graceful: z.boolean().optional() });
const emptyBody = z.strictObject({});
const stopBody = z.strictObject({
  confirm: z.literal(true, 'stopping the master ends every worker: send {"confirm": true}'),
  graceful: z.boolean().optional(),
});

export function actionRoutes(app: Hono<AdminEnv>, deps: RouteDeps): void {
  reloadRoutes(app, deps);
  processRoutes(app, deps);
}

function reloadRoutes(app: Hono<AdminEnv>, { ctx, audit }: RouteDeps): void {
  app.post("/api/reload", async (c) => {
    const body = await readJsonBody(c, reloadBody);
    const graceful = body.graceful === true;
    const target = body.group ?? "all";
    try {
      const { record } = await ctx.reload({ group: body.group, graceful, who: c.get("auth") });
      audit(c, { action: "reload", target, result: "ok", detail: { generation: record.generation, groups: record.groups.map((g) => g.name), graceful } });
      return c.json(record satisfies ReloadRecord, 202);
    } catch (err) {
      // Answered by app.ts with its code's status: an app.json that does not validate, or an address another process
      // holds, is 422 with the field named (nothing changed); one under way is 409.
      if (isAppError(err)) audit(c, { action: "reload", target, result: `refused: ${err.toString()}` });
      throw err;
    }
  });
  app.get("/api/reloads", (c) => c.json({ items: [...ctx.supervisor.reloadRecords.values()].reverse(), errors: [] } satisfies ListResponse<ReloadRecord>));

  app.get("/api/reloads/:id", (c) => {
    const record = ctx.supervisor.reloadRecords.get(Number(c.req.param("id")));
    if (!record) throw new AppError("E_NOT_FOUND", `no reload ${c.req.param("id")} (the master keeps the last 20)`);
    return c.json(record satisfies ReloadRecord);
  });
}

function processRoutes(app: Hono<AdminEnv>, { ctx, audit }: RouteDeps): void {
  app.post("/api/groups/:name/retry", async (c) => {
    await readJsonBody(c, emptyBody);
    const group = c.req.param("name");
    try {
      const slots = ctx.supervisor.retry(group);
      audit(c, { action: "retry", target: group, result: "ok", detail: { slots } });
      return c.json({ group, slots }, 202);
    } catch (err) {
      if (!isAppError(err)) throw err;
      audit(c, { action: "retry", target: group, result: `refused: ${err.message}` });
      throw new AppError("E_NOT_FOUND", err.message, { cause: err });
    }
  });

  app.post("/api/processes/:pid/restart", async (c) => {
    await readJsonBody(c, emptyBody);
    const pid = Number(c.req.param("pid"));
    const ok = findWorker(ctx.supervisor, pid) !== undefined && ctx.supervisor.restartProcess(pid);
    audit(c, { action: "restart-process", target: c.req.param("pid"), result: ok ? "ok" : "refused: not a current worker process" });
    if (!ok) throw new AppError("E_NOT_FOUND", `no current worker process ${c.req.param("pid")}`);
    return c.json({ pid, restarting: true }, 202);
  });

  app.post("/api/stop", async (c) => {
    const body = await readJsonBody(c, stopBody).catch((err: unknown) => {
      audit(c, { action: "stop", target: "master", result: "refused: no confirm" });
      throw err;
    });
    const graceful = body.graceful === true;
    audit(c, { action: "stop", target: "master", result: "ok", detail: { graceful } });
    // Answer first: the stop closes this server.
    setTimeout(() => ctx.requestStop(graceful), 20);
    return c.json({ stopping: true, graceful }, 202);
  });
}

// GET /api/timers (every worker's timers) and DELETE /api/timers/:pid/:id.
import type { Hono } from "hono";
import type { TimerInfo } from "../../ipc.ts";
import type { AdminEnv, RouteDeps } from "../context.ts";
import type { TimerItem } from "../contract.ts";
import { intParam } from "../query-params.ts";
import { checkGroup, findWorker, gather, liveProcesses } from "../worker-queries.ts";
import { errorBody } from "../error-body.ts";

export function timerRoutes(app: Hono<AdminEnv>, { ctx, audit }: RouteDeps): void {
  app.get("/api/timers", async (c) => {
    const q = c.req.query();
    const groupError = checkGroup(ctx.config, q.group);
    if (groupError) return c.json(errorBody("E_USAGE", groupError, "group"), 400);
    const pid = q.pid === undefined ? undefined : intParam(q.pid, "pid", 0, 1, 2 ** 31);
    const found = await gather<TimerInfo>(liveProcesses(ctx.supervisor, { group: q.group, pid }), "timers");
    const items: TimerItem[] = found.rows.flatMap(({ proc, items }) =>
      items
        .sort((a, b) => a.id - b.id)
        .map((t) => ({ pid: proc.pid, group: proc.group, id: t.id, intervalMs: t.intervalMs, persistent: t.persistent, runs: t.runs, nextAt: t.nextAt })),
    );
    return c.json(items);
  });

  app.delete("/api/timers/:pid/:id", async (c) => {
    const pid = Number(c.req.param("pid"));
    const id = Number(c.req.param("id"));
    const target = `${pid}/${c.req.param("id")}`;
    const proc = findWorker(ctx.supervisor, pid);
    if (!proc || !Number.isInteger(id)) {
      audit(c, { action: "delete-timer", target, result: "refused: no such worker process" });
      return c.json(errorBody("E_NOT_FOUND", `no worker process ${c.req.param("pid")} (see GET /api/status)`), 404);
    }
    const reply = await proc.request({ type: "delete-timer", id });
    audit(c, { action: "delete-timer", target, result: reply.ok ? "ok" : `refused: ${reply.error}` });
    if (!reply.ok) return c.json(errorBody("E_NOT_FOUND", reply.error ?? `no timer ${id} in process ${pid}`), 404);
    return c.json({ pid, id, deleted: true });
  });
}

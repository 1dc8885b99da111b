// GET /api/timers (every worker's timers) and DELETE /api/timers/:pid/:id.
import type { Hono } from "hono";
import type { TimerInfo } from "../../ipc.ts";
import type { AdminEnv, RouteDeps } from "../context.ts";
import type { ListResponse, TimerItem } from "../contract.ts";
import { intParam } from "../query-params.ts";
import { checkGroup, findWorker, gather, liveProcesses } from "../worker-queries.ts";
import { AppError } from "../../errors.ts";

export function timerRoutes(app: Hono<AdminEnv>, { ctx, audit }: RouteDeps): void {
  app.get("/api/timers", async (c) => {
    const q = c.req.query();
    checkGroup(ctx.config, q.group);
    const pid = q.pid === undefined ? undefined : intParam(q.pid, "pid", 0, 1, 2 ** 31);
    const found = await gather<TimerInfo>(liveProcesses(ctx.supervisor, { group: q.group, pid }), "timers");
    const items: TimerItem[] = found.rows.flatMap(({ proc, items }) =>
      items
        .sort((a, b) => a.id - b.id)
        .map((t) => ({ pid: proc.pid, group: proc.group, id: t.id, intervalMs: t.intervalMs, persistent: t.persistent, runs: t.runs, nextAt: t.nextAt })),
    );
    const body: ListResponse<TimerItem> = { items, errors: found.errors };
    return c.json(body);
  });

  app.delete("/api/timers/:pid/:id", async (c) => {
    const pid = Number(c.req.param("pid"));
    const id = Number(c.req.param("id"));
    const target = `${pid}/${c.req.param("id")}`;
    const proc = findWorker(ctx.supervisor, pid);
    if (!proc || !Number.isInteger(id)) {
      audit(c, { action: "delete-timer", target, result: "refused: no such worker process" });
      throw new AppError("E_NOT_FOUND", `no worker process ${c.req.param("pid")} (see GET /api/status)`);
    }
    const reply = await proc.request({ type: "delete-timer", id });
    audit(c, { action: "delete-timer", target, result: reply.ok ? "ok" : `refused: ${reply.error}` });
    if (!reply.ok) throw new AppError("E_NOT_FOUND", reply.error ?? `no timer ${id} in process ${pid}`);
    return c.json({ pid, id, deleted: true });
  });
}

// GET /api/metrics/history?from=&to=&step=: connections, qps, memory and cpu per group and per process over time.
import type { Hono } from "hono";
import type { AdminEnv, RouteDeps } from "../context.ts";
import { durationParam, QueryError, timeParam } from "../query-params.ts";
import { requireStore } from "../store-guard.ts";

const DEFAULT_RANGE_MS = 15 * 60_000;
/** Without a step, aim for about this many points per series. */
const DEFAULT_POINTS = 300;

export function historyRoutes(app: Hono<AdminEnv>, { ctx }: RouteDeps): void {
  app.get("/api/metrics/history", (c) => {
    requireStore(ctx);
    const to = timeParam(c.req.query("to"), "to", Date.now());
    const from = timeParam(c.req.query("from"), "from", to - DEFAULT_RANGE_MS);
    if (from > to) throw new QueryError(`from (${from}) is after to (${to})`, "from");
    const step = durationParam(c.req.query("step"), "step", Math.max(1, Math.ceil((to - from) / 1000 / DEFAULT_POINTS)));
    return c.json(ctx.store.history.query({ from, to, step }));
  });
}

// GET /api/metrics/history?from=&to=&step=: connections, rate, memory, CPU and lag per group and per process over time, and each group's latency and response rates.
import { z } from "zod";
import type { RouteDeps } from "../context.ts";
import { metricsHistory } from "../api-schemas.ts";
import { durationQuery, QueryError, readQuery, timeQuery } from "../query-params.ts";
import { route, type RouteSpec } from "../route-spec.ts";
import { requireStore } from "../store-guard.ts";

const DEFAULT_RANGE_MS = 15 * 60_000;
/** Without a step, aim for about this many points per series. */
const DEFAULT_POINTS = 300;

const historyQuery = z.object({
  from: timeQuery("from", "Start (default: 15 minutes before to)"),
  to: timeQuery("to", "End (default: now)"),
  step: durationQuery("step", "Bucket size (default: about 300 points; raised so a series has at most 2000)"),
});

export function historyRoutes({ ctx }: RouteDeps): RouteSpec[] {
  const history = route({
    method: "GET",
    path: "/api/metrics/history",
    summary:
      "Connections, rate, memory, CPU and event-loop lag per group and per process over time, and each group's p50/p99 and response and error rates, from the store",
    auth: "token",
    query: historyQuery,
    ok: { status: 200, description: "Series of points per group and per process", schema: metricsHistory },
    refuses: ["E_UNAVAILABLE"],
    handler: (c) => {
      requireStore(ctx);
      const q = readQuery(c, historyQuery);
      const to = q.to ?? Date.now();
      const from = q.from ?? to - DEFAULT_RANGE_MS;
      if (from > to) throw new QueryError(`from (${from}) is after to (${to})`, "from");
      const step = q.step ?? Math.max(1, Math.ceil((to - from) / 1000 / DEFAULT_POINTS));
      return c.json(ctx.store.history.query({ from, to, step }));
    },
  });
  return [history];
}

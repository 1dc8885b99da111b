// The admin plane's one route table: every route it serves, in the order it matches them; app.ts mounts it, GET /api and /api/openapi.json describe it.
import { dashboardRoutes } from "./dashboard.ts";
import { pushRoutes } from "./push-route.ts";
import type { RouteSpec } from "./route-spec.ts";
import { actionRoutes } from "./routes/action-routes.ts";
import { clusterRoutes } from "./routes/cluster-routes.ts";
import { configRoutes } from "./routes/config-routes.ts";
import { connectionRoutes } from "./routes/connection-routes.ts";
import { describeRoutes, healthRoute } from "./routes/describe-routes.ts";
import { eventRoutes } from "./routes/event-routes.ts";
import { historyRoutes } from "./routes/history-routes.ts";
import { logRoutes } from "./routes/log-routes.ts";
import { metricsRoute } from "./routes/metrics-route.ts";
import { reloadRoutes } from "./routes/reload-routes.ts";
import { sessionRoutes, type SessionDeps } from "./routes/session-routes.ts";
import { statusRoutes } from "./routes/status-routes.ts";
import { timerRoutes } from "./routes/timer-routes.ts";

export function adminRoutes(deps: SessionDeps): RouteSpec[] {
  const table: RouteSpec[] = [
    healthRoute,
    ...sessionRoutes(deps),
    ...statusRoutes(deps),
    ...clusterRoutes(deps),
    ...connectionRoutes(deps),
    ...timerRoutes(deps),
    ...reloadRoutes(deps),
    ...actionRoutes(deps),
    ...eventRoutes(deps),
    ...historyRoutes(deps),
    ...configRoutes(deps),
    ...logRoutes(deps),
    ...pushRoutes(deps),
    ...metricsRoute(deps),
    ...dashboardRoutes(),
  ];
  table.push(...describeRoutes(() => table));
  return table;
}

// GET /api/status: the master, its groups and every process, plus the store's health.
import type { RouteDeps } from "../context.ts";
import type { StatusResponse } from "../contract.ts";
import { ipcDrops } from "../../master/ipc-drops.ts";
import { statusResponse } from "../api-schemas.ts";
import { route, type RouteSpec } from "../route-spec.ts";

export function statusRoutes({ ctx }: RouteDeps): RouteSpec[] {
  const status = route({
    method: "GET",
    path: "/api/status",
    summary: "The master, its groups and one row per process (a slot waiting to restart has a row with pid null)",
    auth: "token",
    ok: { status: 200, description: "The master, groups and processes", schema: statusResponse },
    handler: (c) => c.json(statusBody(ctx)),
  });
  return [status];
}

/** The status with the store's health and the IPC drops: the route's answer, and what the live feed's tick is cut from. */
export function statusBody(ctx: RouteDeps["ctx"]): StatusResponse {
  const status = ctx.status();
  return { ...status, master: { ...status.master, storeError: ctx.store.health() }, ipc: ipcDrops.status() };
}

// GET /api/status: the master, its groups and every process, plus the store's health; GET /api/cluster beside it.
import type { Hono } from "hono";
import type { AdminEnv, RouteDeps } from "../context.ts";
import type { StatusResponse } from "../contract.ts";
import { ipcDrops } from "../../master/ipc-drops.ts";
import { clusterRoutes } from "./cluster-routes.ts";

export function statusRoutes(app: Hono<AdminEnv>, deps: RouteDeps): void {
  const { ctx } = deps;
  app.get("/api/status", (c) => {
    const status = ctx.status();
    const body: StatusResponse = { ...status, master: { ...status.master, storeError: ctx.store.health() }, ipc: ipcDrops.status() };
    return c.json(body);
  });
  clusterRoutes(app, deps);
}

// GET /api/status: the master, its groups and every process, plus the store's health.
import type { Hono } from "hono";
import type { AdminEnv, RouteDeps } from "../context.ts";
import type { StatusResponse } from "../contract.ts";
import { ipcDrops } from "../../master/ipc-drops.ts";

export function statusRoutes(app: Hono<AdminEnv>, { ctx }: RouteDeps): void {
  app.get("/api/status", (c) => {
    const status = ctx.status();
    const body: StatusResponse = { ...status, master: { ...status.master, storeError: ctx.store.health() }, ipc: ipcDrops.status() };
    return c.json(body);
  });
}

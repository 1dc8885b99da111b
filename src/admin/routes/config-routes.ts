// GET /api/config (the config the master runs now), GET /api/configs and /api/configs/:version (the applied-config history).
import type { Hono } from "hono";
import { hideSecrets } from "../../store/config-history.ts";
import type { AdminEnv, RouteDeps } from "../context.ts";
import type { ConfigVersion, ListResponse, RunningConfigResponse } from "../contract.ts";
import { intParam } from "../query-params.ts";
import { AppError } from "../../errors.ts";
import { requireStore } from "../store-guard.ts";

export function configRoutes(app: Hono<AdminEnv>, { ctx }: RouteDeps): void {
  app.get("/api/config", (c) => {
    const body: RunningConfigResponse = {
      version: ctx.store.configs.latestVersion(),
      config: hideSecrets(ctx.config) as unknown as Record<string, unknown>,
      generation: ctx.supervisor.generation,
    };
    return c.json(body);
  });

  app.get("/api/configs", (c) => {
    requireStore(ctx);
    const limit = intParam(c.req.query("limit"), "limit", 20, 1, 100);
    const before = c.req.query("before") === undefined ? undefined : intParam(c.req.query("before"), "before", 0, 1, Number.MAX_SAFE_INTEGER);
    const body: ListResponse<ConfigVersion> = { items: ctx.store.configs.list(limit, before), errors: [] };
    return c.json(body);
  });

  app.get("/api/configs/:version", (c) => {
    const version = intParam(c.req.param("version"), "version", 0, 1, Number.MAX_SAFE_INTEGER);
    const found = ctx.store.configs.get(version);
    if (!found) throw new AppError("E_NOT_FOUND", `no config version ${version} (the last ${ctx.store.configs.keep} are kept)`);
    return c.json(found);
  });
}

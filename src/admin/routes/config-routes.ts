// GET /api/config (the config the master runs now), GET /api/configs and /api/configs/:version (the applied-config history).
import { z } from "zod";
import { hideSecrets } from "../../store/config-history.ts";
import type { RouteDeps } from "../context.ts";
import type { ConfigVersion, ListResponse, RunningConfigResponse } from "../contract.ts";
import { configDetail, configList, runningConfig } from "../api-schemas.ts";
import { intParam, intQuery, readQuery } from "../query-params.ts";
import { AppError } from "../../errors.ts";
import { route, type RouteSpec } from "../route-spec.ts";
import { requireStore } from "../store-guard.ts";

const pageQuery = z.object({
  limit: intQuery("limit", 20, 1, 100, "Versions per page"),
  before: intQuery("before", undefined, 1, Number.MAX_SAFE_INTEGER, "Only versions before this one (pages back)"),
});

export function configRoutes({ ctx }: RouteDeps): RouteSpec[] {
  const running = route({
    method: "GET",
    path: "/api/config",
    summary: "The config the master runs now (resolved paths and ports; admin.passwordHash shown as a digest)",
    auth: "token",
    ok: { status: 200, description: "Its version in the history, the config and the latest generation", schema: runningConfig },
    handler: (c) => {
      const body: RunningConfigResponse = {
        version: ctx.store.configs.latestVersion(),
        config: hideSecrets(ctx.config) as unknown as Record<string, unknown>,
        generation: ctx.supervisor.generation,
      };
      return c.json(body);
    },
  });
  const list = route({
    method: "GET",
    path: "/api/configs",
    summary: "The applied configs, newest first, each with its diff against the one before",
    auth: "token",
    query: pageQuery,
    ok: { status: 200, description: "Config versions", schema: configList },
    refuses: ["E_UNAVAILABLE"],
    handler: (c) => {
      requireStore(ctx);
      const { limit, before } = readQuery(c, pageQuery);
      const body: ListResponse<ConfigVersion> = { items: ctx.store.configs.list(limit, before), errors: [] };
      return c.json(body);
    },
  });
  const one = route({
    method: "GET",
    path: "/api/configs/:version",
    summary: "One applied config version, with the config itself",
    auth: "token",
    params: { version: z.int().min(1) },
    ok: { status: 200, description: "The version, its diff and its config", schema: configDetail },
    refuses: ["E_NOT_FOUND"],
    handler: (c) => {
      const version = intParam(c.req.param("version"), "version", 0, 1, Number.MAX_SAFE_INTEGER);
      const found = ctx.store.configs.get(version);
      if (!found) throw new AppError("E_NOT_FOUND", `no config version ${version} (the last ${ctx.store.configs.keep} are kept)`);
      return c.json(found);
    },
  });
  return [running, list, one];
}

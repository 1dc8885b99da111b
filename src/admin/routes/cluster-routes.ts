// GET /api/cluster (every instance joined by cluster.redis, this one alone without), and the rolling reload across them.
import { z } from "zod";
import { AppError, isAppError } from "../../errors.ts";
import type { RouteDeps } from "../context.ts";
import type { ClusterReloadRecord, ClusterResponse } from "../contract.ts";
import { readJsonBody } from "../json-body.ts";
import { route, type RouteSpec } from "../route-spec.ts";

const clusterResponse = z
  .custom<ClusterResponse>()
  .meta({ type: "object", description: "Every instance joined by cluster.redis, with its process rows (src/admin/contract.ts ClusterResponse)" });
const reloadRecord = z
  .custom<ClusterReloadRecord>()
  .meta({ type: "object", description: "A rolling reload: one step per instance (src/admin/contract.ts ClusterReloadRecord)" });
const clusterReloadBody = z.strictObject({
  graceful: z.boolean().optional().describe("Each instance's reload is graceful (old processes finish their connections)"),
  order: z.array(z.string().min(1).max(200)).max(1000).optional().describe("Host names or instance ids, in the order to reload; absent: all, this one last"),
});

export function clusterRoutes(deps: RouteDeps): RouteSpec[] {
  const plane = () => {
    if (!deps.ctx.cluster) throw new AppError("E_UNAVAILABLE", "the cluster view is not running in this master");
    return deps.ctx.cluster;
  };
  const view = route({
    method: "GET",
    path: "/api/cluster",
    summary: "Every instance joined by cluster.redis with its process rows (this one alone without a cluster)",
    auth: "token",
    ok: { status: 200, description: "The instances", schema: clusterResponse },
    refuses: ["E_UNAVAILABLE"],
    handler: async (c) => c.json((await plane().view()) satisfies ClusterResponse),
  });
  const record = route({
    method: "GET",
    path: "/api/cluster/reloads/:id",
    summary: "A rolling reload as it progresses",
    auth: "token",
    params: { id: z.int() },
    ok: { status: 200, description: "The rolling reload", schema: reloadRecord },
    refuses: ["E_NOT_FOUND", "E_UNAVAILABLE"],
    handler: (c) => {
      const found = plane().commands.reloadRecord(Number(c.req.param("id")));
      if (!found) throw new AppError("E_NOT_FOUND", `no cluster reload ${c.req.param("id")} (the master keeps the last 20)`);
      return c.json(found satisfies ClusterReloadRecord);
    },
  });
  return [view, reloadRoute(deps, plane), record, restartRoute(deps, plane)];
}

type Plane = () => NonNullable<RouteDeps["ctx"]["cluster"]>;

function restartRoute({ ctx, audit }: RouteDeps, plane: Plane): RouteSpec {
  return route({
    method: "POST",
    path: "/api/cluster/instances/:id/processes/:pid/restart",
    summary: "Replaces one worker process of another instance over the signed command channel (needs cluster.secretFile)",
    auth: "token",
    params: { id: z.string(), pid: z.int() },
    body: z.strictObject({}),
    ok: { status: 202, description: "The instance is restarting it", schema: z.object({ instance: z.string(), pid: z.number(), restarting: z.literal(true) }) },
    refuses: ["E_USAGE", "E_NOT_FOUND", "E_UNAVAILABLE"],
    handler: async (c) => {
      await readJsonBody(c, z.strictObject({}));
      const instance = c.req.param("id");
      const pid = Number(c.req.param("pid"));
      const target = `${instance}/${pid}`;
      try {
        // This instance's own process: the ordinary restart, no command needed.
        if (instance === plane().self) {
          if (!ctx.supervisor.restartProcess(pid)) throw new AppError("E_NOT_FOUND", `no current worker process ${pid}`);
        } else {
          await plane()
            .commands.restartRemote(instance, pid)
            .catch((err: Error) => {
              throw isAppError(err) ? err : new AppError("E_NOT_FOUND", `${instance} did not restart process ${pid}: ${err.message}`);
            });
        }
        audit(c, { action: "cluster-restart-process", target, result: "ok" });
        return c.json({ instance, pid, restarting: true as const }, 202);
      } catch (err) {
        if (isAppError(err)) audit(c, { action: "cluster-restart-process", target, result: `refused: ${err.message}` });
        throw err;
      }
    },
  });
}

function reloadRoute({ audit }: RouteDeps, plane: Plane): RouteSpec {
  return route({
    method: "POST",
    path: "/api/cluster/reload",
    summary: "Reloads the instances one at a time, each through its own health gate, stopping at the first rollback (needs cluster.secretFile)",
    auth: "token",
    body: clusterReloadBody,
    ok: { status: 202, description: "The rolling reload, begun", schema: reloadRecord },
    refuses: ["E_USAGE", "E_CONFLICT", "E_UNAVAILABLE"],
    handler: async (c) => {
      const body = await readJsonBody(c, clusterReloadBody);
      const target = body.order?.join(",") ?? "all instances";
      try {
        const started = await plane().commands.startReload(body.graceful === true, body.order);
        audit(c, { action: "cluster-reload", target, result: "ok", detail: { id: started.id, instances: started.steps.map((s) => s.instance) } });
        return c.json(started satisfies ClusterReloadRecord, 202);
      } catch (err) {
        if (isAppError(err)) audit(c, { action: "cluster-reload", target, result: `refused: ${err.toString()}` });
        throw err;
      }
    },
  });
}

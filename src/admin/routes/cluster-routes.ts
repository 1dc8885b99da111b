// GET /api/cluster: every instance joined by cluster.redis with its process rows (this one alone without a cluster).
import { z } from "zod";
import { AppError } from "../../errors.ts";
import type { RouteDeps } from "../context.ts";
import type { ClusterResponse } from "../contract.ts";
import { route, type RouteSpec } from "../route-spec.ts";

const clusterResponse = z
  .custom<ClusterResponse>()
  .meta({ type: "object", description: "Every instance joined by cluster.redis, with its process rows (src/admin/contract.ts ClusterResponse)" });

export function clusterRoutes({ ctx }: RouteDeps): RouteSpec[] {
  const cluster = route({
    method: "GET",
    path: "/api/cluster",
    summary: "Every instance joined by cluster.redis with its process rows (this one alone without a cluster)",
    auth: "token",
    ok: { status: 200, description: "The instances", schema: clusterResponse },
    refuses: ["E_UNAVAILABLE"],
    handler: async (c) => {
      if (!ctx.cluster) throw new AppError("E_UNAVAILABLE", "the cluster view is not running in this master");
      const body: ClusterResponse = await ctx.cluster.view();
      return c.json(body);
    },
  });
  return [cluster];
}

// GET /api/cluster: every instance joined by cluster.redis with its process rows (this one alone without a cluster).
import type { Hono } from "hono";
import type { AdminEnv, RouteDeps } from "../context.ts";
import type { ClusterResponse } from "../contract.ts";
import { AppError } from "../../errors.ts";

export function clusterRoutes(app: Hono<AdminEnv>, { ctx }: RouteDeps): void {
  app.get("/api/cluster", async (c) => {
    if (!ctx.cluster) throw new AppError("E_UNAVAILABLE", "the cluster view is not running in this master");
    const body: ClusterResponse = await ctx.cluster.view();
    return c.json(body);
  });
}

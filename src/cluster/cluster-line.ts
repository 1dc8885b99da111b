// The `status` header's line about the Redis link: connected with how many instances, or since when it is down and why.
import type { StatusCluster } from "../channel/cluster/cluster-status.ts";

export function clusterLine(cluster: StatusCluster | null | undefined, now = Date.now()): string | null {
  if (!cluster) return null;
  if (cluster.connected) {
    const n = cluster.instances;
    return `cluster: connected (${n == null ? "counting" : `${n} instance${n === 1 ? "" : "s"}`})`;
  }
  const since = cluster.disconnectedSince;
  const seconds = since == null ? "" : ` for ${Math.max(0, Math.round((now - since) / 1000))} s`;
  return `cluster: DISCONNECTED${seconds}: ${cluster.lastError ?? "not connected yet"}`;
}

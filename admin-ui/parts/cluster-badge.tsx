/** @jsxImportSource preact */
// The Redis link at a glance (top bar) and, when it is lost, the overview's warning: both from /api/status's cluster section.
import type { StatusCluster } from "../../src/admin/contract.ts";
import { formatDuration } from "../format.ts";
import { now, status } from "../state.ts";

/** Nothing without cluster.redis; green with the instance count, red while the link is down. */
export function ClusterBadge() {
  const c = status.value?.cluster;
  if (!c) return null;
  const n = c.instances;
  const text = c.connected ? `cluster: ${n == null ? "connected" : `${n} instance${n === 1 ? "" : "s"}`}` : "cluster: DISCONNECTED";
  return (
    <span class={`feed ${c.connected ? "feed-live" : "feed-offline"}`} role="status" aria-live="polite" data-cluster={c.connected ? "up" : "down"}>
      {text}
    </span>
  );
}

export function ClusterWarning({ cluster }: { cluster: StatusCluster | null | undefined }) {
  if (!cluster || cluster.connected) return null;
  const since = cluster.disconnectedSince;
  return (
    <div class="warning" role="status" data-warning="cluster">
      <strong>The Redis link is down{since == null ? "" : ` for ${formatDuration(Math.max(0, now.value - since))}`}</strong> ({cluster.redis}):{" "}
      {cluster.lastError ?? "not connected yet"}. Messages to other hosts are dropped and counted, and the cluster view shows this instance alone until it is
      back.
    </div>
  );
}

// `workerman-app status --cluster [--json]`: every instance joined by cluster.redis, a line each, its process rows under it.
import { adminRequest } from "../admin/client.ts";
import type { ClusterInstance, ClusterResponse } from "../admin/contract.ts";
import { renderTable } from "../table.ts";
import { isHttp, PROCESS_HEADERS, processRow } from "./status-table.ts";

export async function clusterStatusCommand(configPath: string, json: boolean): Promise<number> {
  const view = await adminRequest<ClusterResponse>(configPath, "/api/cluster");
  console.log(json ? JSON.stringify(view, null, 2) : renderCluster(view));
  return 0;
}

export function renderCluster(view: ClusterResponse, now = Date.now()): string {
  const head =
    view.connected === null
      ? "cluster: off (no cluster.redis): this instance alone"
      : view.connected
        ? `cluster: connected (${view.instances.length} instance${view.instances.length === 1 ? "" : "s"})`
        : `cluster: DISCONNECTED: ${view.error ?? "not connected"}; this instance alone`;
  const commands =
    view.connected === null ? [] : [`cluster commands: ${view.commands ? "on (signed with cluster.secretFile)" : "off (no cluster.secretFile)"}`];
  return [head, ...commands, ...view.instances.flatMap((instance) => ["", instanceLine(instance, now), processTable(instance)])].join("\n");
}

/** `== host-a  pid 4242  http://127.0.0.1:9090  up 120 s  0.9.0  (this instance)`, and STALE when it stopped refreshing. */
export function instanceLine(i: ClusterInstance, now = Date.now()): string {
  const up = Math.max(0, Math.round((now - i.startedAt) / 1000));
  const stale = i.stale ? `  STALE: last seen ${Math.round((now - i.lastSeenAt) / 1000)} s ago` : "";
  return `== ${i.host}  master pid ${i.masterPid}  ${i.admin || "(admin not listening yet)"}  up ${up} s  ${i.version}${i.self ? "  (this instance)" : ""}${stale}  id ${i.id}`;
}

/** The status table's columns, for another instance's rows as it announced them. */
function processTable(i: ClusterInstance): string {
  return renderTable(
    PROCESS_HEADERS,
    i.processes.map((p) => processRow(p, isHttp(p.listen))),
  );
}

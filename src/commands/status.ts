// `workerman-app status [--json]`: every process of the running master, as a table like Workerman's.
import type { StatusResponse } from "../admin/contract.ts";
import { adminRequest } from "../admin/client.ts";
import { clusterLine } from "../cluster/cluster-line.ts";
import { probationText } from "./reload.ts";
import { statusTable } from "./status-table.ts";

export async function statusCommand(configPath: string, json: boolean): Promise<number> {
  const status = await adminRequest<StatusResponse>(configPath, "/api/status");
  if (json) {
    console.log(JSON.stringify(status, null, 2));
    return 0;
  }
  console.log(renderStatus(status));
  return 0;
}

export function renderStatus(status: StatusResponse): string {
  const { master, processes } = status;
  const uptime = Math.round((Date.now() - master.startedAt) / 1000);
  const migrate =
    master.tcpMigrateReq === 0 ? "0 (reloads may reset queued connections: sysctl -w net.ipv4.tcp_migrate_req=1)" : String(master.tcpMigrateReq ?? "n/a");
  const header = [
    `workerman-app ${master.version}  app "${master.name}"  master pid ${master.pid}  up ${uptime}s`,
    `config ${master.configPath}  tcp_migrate_req ${migrate}`,
    ...(status.cluster ? [clusterLine(status.cluster)!] : []),
  ];
  const table = statusTable(status);
  return [...header, table, ...waitingLines(processes), ...probationLines(status)].join("\n");
}

/** Under the table, one line per slot waiting to restart: how it last died and when it tries again. */
function waitingLines(processes: StatusResponse["processes"]): string[] {
  return processes.flatMap((p) => {
    if (!p.lastExit || (p.state !== "backoff" && p.state !== "crashloop")) return [];
    const how = p.lastExit.signal ? `signal ${p.lastExit.signal}` : `exit ${p.lastExit.code}`;
    const next = p.nextRetryAt === undefined ? "" : `, next try in ${Math.max(0, (p.nextRetryAt - Date.now()) / 1000).toFixed(1)} s`;
    return [
      `${p.group}#${p.index} ${p.state}: ${how}, ${p.restarts} restarts${next} (retry now: workerman-app retry --group ${p.group}): ${p.lastExit.reason.text}`,
    ];
  });
}

/** The last reload's probation: running (until when), or how it ended when it rolled back. */
function probationLines(status: StatusResponse): string[] {
  const reload = status.lastReload;
  if (!reload) return [];
  return reload.groups.flatMap((g) => {
    if (g.phase === "probation") return [`${g.name}: generation ${reload.generation} replaced; ${probationText(g)}`];
    if (g.phase === "rolled-back" && g.probation?.outcome === "rolled-back") {
      return [`${g.name}: generation ${reload.generation} rolled back during probation, the parked processes serve again: ${g.reason?.text ?? ""}`];
    }
    return [];
  });
}

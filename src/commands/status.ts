// `workerman-app status [--json]`: every process of the running master, as a table like Workerman's.
import type { StatusResponse } from "../admin/contract.ts";
import { adminRequest } from "../admin/client.ts";
import { formatBytes, renderTable } from "../table.ts";

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
  const migrate = master.tcpMigrateReq === 0 ? "0 (reloads may reset queued connections: sysctl -w net.ipv4.tcp_migrate_req=1)" : String(master.tcpMigrateReq ?? "n/a");
  const header = [
    `workerman-app ${master.version}  app "${master.name}"  master pid ${master.pid}  up ${uptime}s`,
    `config ${master.configPath}  tcp_migrate_req ${migrate}`,
  ];
  const rows = processes.map((p) => [
    p.pid, p.group, p.index, p.generation, p.state, p.listen, p.connections, p.requests, p.qps, p.sendFail, p.timers, formatBytes(p.rssBytes), `${p.cpuPercent}%`, p.restarts,
  ]);
  const sum = (key: "connections" | "requests" | "sendFail" | "timers" | "rssBytes" | "qps") => processes.reduce((total, p) => total + p[key], 0);
  rows.push(["total", `${processes.length} processes`, "", "", "", "", sum("connections"), sum("requests"), Math.round(sum("qps")), sum("sendFail"), sum("timers"), formatBytes(sum("rssBytes")), "", ""]);
  const table = renderTable(["pid", "group", "#", "gen", "state", "listen", "conns", "requests", "qps", "send_fail", "timers", "memory", "cpu", "restarts"], rows);
  return [...header, table].join("\n");
}

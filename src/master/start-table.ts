// The table the master prints once its workers listen, like Workerman's start screen.
import type { StatusResponse } from "./status-records.ts";
import { renderTable } from "../table.ts";

export function startTable(status: StatusResponse, adminUrl: string, tokenPath: string, daemon: boolean): string {
  const { master } = status;
  const header = `workerman-app ${master.version}  app "${master.name}"  master pid ${master.pid}  config ${master.configPath}`;
  const rows = status.groups.map((group) => {
    const procs = status.processes.filter((p) => p.group === group.name);
    const ready = procs.filter((p) => p.state === "ready").length;
    const states = [...new Set(procs.map((p) => p.state))].join(",");
    return [group.name, group.listen, group.count, ready === group.count ? "ready" : `${ready}/${group.count} ready (${states || "restarting"})`];
  });
  return [
    header,
    renderTable(["group", "listen", "count", "state"], rows),
    `admin  ${adminUrl}  (token in ${tokenPath})`,
    daemon ? "Running in the background: workerman-app stop --config <app.json> stops it." : "Press Ctrl+C to stop.",
  ].join("\n");
}

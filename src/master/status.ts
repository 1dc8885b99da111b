// Builds the admin API's status view from the supervisor's live state.
import { readFileSync } from "node:fs";
import type { ReloadRecord } from "./records.ts";
import type { StatusProcess, StatusResponse } from "./status-records.ts";
import type { ClusterStatus } from "../channel/cluster/cluster.ts";
import { groupTraffic, NO_TRAFFIC, processTraffic } from "./traffic-figures.ts";
import { listenText } from "../config/listen-url.ts";
import type { AppConfig } from "../config/types.ts";
import { VERSION } from "../version.ts";
import type { Slot } from "./slot.ts";
import type { SupervisorView } from "./supervisor-interface.ts";

/** net.ipv4.tcp_migrate_req, or null where it cannot be read (not Linux, or a kernel before 5.14). */
export function readTcpMigrateReq(): number | null {
  try {
    return Number(readFileSync("/proc/sys/net/ipv4/tcp_migrate_req", "utf8").trim());
  } catch {
    return null;
  }
}

/** `cluster`: the channel relay's view of the other instances (null without cluster.redis). */
export function buildStatus(
  config: AppConfig,
  supervisor: SupervisorView,
  startedAt: number,
  tcpMigrateReq: number | null,
  cluster: () => ClusterStatus | null = () => null,
): StatusResponse {
  const processes: StatusProcess[] = [...supervisor.processes].map((proc) => {
    const slot = supervisor.slots.find((s) => s.current === proc);
    const c = proc.counters;
    return {
      pid: proc.pid,
      group: proc.group,
      index: proc.index,
      generation: proc.generation,
      state: slot ? supervisor.stateOf(slot) : proc.state,
      startedAt: proc.startedAt,
      restarts: slot?.restarts ?? 0,
      ...(slot?.lastExit ? { lastExit: slot.lastExit } : {}),
      listen: proc.listen ? listenText(proc.listen) : "",
      connections: c?.connections ?? 0,
      requests: c?.requests ?? 0,
      qps: Math.round(proc.qps * 10) / 10,
      sendFail: c?.sendFail ?? 0,
      handlerErrors: c?.handlerErrors ?? 0,
      protocolErrors: c?.protocolErrors ?? 0,
      bytesRead: c?.bytesRead ?? 0,
      bytesWritten: c?.bytesWritten ?? 0,
      idleClosed: c?.idleClosed ?? 0,
      timers: c?.timers ?? 0,
      // From /proc, read by the master: a worker that is stuck cannot misreport or stop reporting them.
      rssBytes: proc.rssBytes ?? c?.rssBytes ?? 0,
      cpuPercent: Math.round(proc.cpuPercent * 10) / 10,
      ...(c?.metrics ? { metrics: c.metrics } : {}),
      ...processTraffic(c),
    };
  });
  // A slot waiting to restart keeps its row: a crash loop stays visible, with when it retries and why it died.
  for (const slot of supervisor.slots) if (!slot.current) processes.push(emptySlotRow(slot, supervisor.stateOf(slot)));
  processes.sort((a, b) => a.group.localeCompare(b.group) || a.index - b.index || a.generation - b.generation);
  return {
    master: { pid: process.pid, version: VERSION, startedAt, configPath: config.configPath, name: config.name, tcpMigrateReq },
    groups: config.workers.map((g) => ({
      name: g.name,
      listen: listenText(g.listen),
      count: g.count,
      reloadable: g.reloadable,
      healthySeconds: g.healthySeconds ?? config.reload.healthySeconds,
      ...groupTraffic(supervisor, g.name),
    })),
    processes,
    ...lastReloadOf(supervisor),
    cluster: cluster(),
  };
}

/** A row's figures before its process has reported any (or while its slot has no process). */
export const NOTHING_REPORTED = {
  listen: "",
  connections: 0,
  requests: 0,
  qps: 0,
  sendFail: 0,
  handlerErrors: 0,
  protocolErrors: 0,
  bytesRead: 0,
  bytesWritten: 0,
  idleClosed: 0,
  timers: 0,
  rssBytes: 0,
  cpuPercent: 0,
  ...NO_TRAFFIC,
} satisfies Partial<StatusProcess>;

function emptySlotRow(slot: Slot, state: string): StatusProcess {
  return {
    pid: null,
    group: slot.group.name,
    index: slot.index,
    generation: 0,
    state,
    startedAt: slot.lastExit?.at ?? 0,
    restarts: slot.restarts,
    ...(slot.nextRetryAt !== undefined ? { nextRetryAt: slot.nextRetryAt } : {}),
    ...(slot.lastExit ? { lastExit: slot.lastExit } : {}),
    ...NOTHING_REPORTED,
  };
}

function lastReloadOf(supervisor: SupervisorView): { lastReload?: ReloadRecord } {
  const records = [...supervisor.reloadRecords.values()];
  return records.length ? { lastReload: records[records.length - 1]! } : {};
}

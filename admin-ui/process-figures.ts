// The Workers table's derived figures: a process's errors, how late its event loop runs, and a group's total row.
import type { StatusGroup, StatusProcess } from "../src/admin/contract.ts";

/** Event-loop lag past this is highlighted: a callback that blocks this long delays every connection of the process. */
export const LAG_WARN_SECONDS = 0.1;
/** Past this the process answers nothing for half a second at a time: shown as a fault. */
export const LAG_BAD_SECONDS = 0.5;

/** Errors an operator acts on: handler exceptions (and, where the master counts them, 5xx answers). */
export function errorCount(p: Pick<StatusProcess, "handlerErrors">): number {
  return p.handlerErrors;
}

export function lagLevel(seconds: number | null | undefined): "ok" | "warn" | "bad" | "unknown" {
  if (seconds == null || !Number.isFinite(seconds)) return "unknown";
  return seconds >= LAG_BAD_SECONDS ? "bad" : seconds >= LAG_WARN_SECONDS ? "warn" : "ok";
}

export interface GroupTotal {
  group: string;
  /** Processes that run (a slot waiting to restart is not one). */
  processes: number;
  connections: number;
  qps: number;
  errors: number;
  rssBytes: number;
  cpuPercent: number;
  restarts: number;
  timers: number;
}

/** One total row per group, in the groups' order; a process whose group the status no longer lists still counts, under its own name. */
export function groupTotals(groups: readonly Pick<StatusGroup, "name">[], processes: readonly StatusProcess[]): GroupTotal[] {
  const byName = new Map<string, GroupTotal>();
  const total = (group: string) => {
    let t = byName.get(group);
    if (!t) byName.set(group, (t = { group, processes: 0, connections: 0, qps: 0, errors: 0, rssBytes: 0, cpuPercent: 0, restarts: 0, timers: 0 }));
    return t;
  };
  for (const g of groups) total(g.name);
  for (const p of processes) {
    const t = total(p.group);
    t.restarts += p.restarts;
    if (p.pid === null || p.state === "exited") continue;
    t.processes++;
    t.connections += p.connections;
    t.qps += p.qps;
    t.errors += errorCount(p);
    t.rssBytes += p.rssBytes;
    t.cpuPercent += p.cpuPercent;
    t.timers += p.timers;
  }
  return [...byName.values()];
}

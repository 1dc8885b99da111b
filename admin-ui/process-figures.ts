// The Workers table's derived figures: latency as text, how late an event loop runs, and a group's total row.
import type { StatusProcess } from "../src/admin/contract.ts";

/** Event-loop lag past this is highlighted: a callback that blocks this long delays every connection of the process. */
export const LAG_WARN_SECONDS = 0.1;
/** Past this the process answers nothing for half a second at a time: shown as a fault. */
export const LAG_BAD_SECONDS = 0.5;

/** Seconds as a latency cell: "0.8 ms", "42 ms", "1.25 s"; a dash where there is none (not http, or no request lately). */
export function formatLatency(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "–";
  if (seconds < 0.01) return `${(seconds * 1000).toFixed(1)} ms`;
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(2)} s`;
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
  rssBytes: number;
  cpuPercent: number;
  restarts: number;
  timers: number;
}

/**
 * Sums of what only the running processes have (connections, rate, memory); a group's errors, latency and lag
 * come from the master's group figures instead, which keep exited processes' counts and merge the histograms.
 * One total row per group, in the groups' order; a process whose group the status no longer lists still counts, under its own name. */
export function groupTotals(groups: readonly { name: string }[], processes: readonly StatusProcess[]): GroupTotal[] {
  const byName = new Map<string, GroupTotal>();
  const total = (group: string) => {
    let t = byName.get(group);
    if (!t) byName.set(group, (t = { group, processes: 0, connections: 0, qps: 0, rssBytes: 0, cpuPercent: 0, restarts: 0, timers: 0 }));
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
    t.rssBytes += p.rssBytes;
    t.cpuPercent += p.cpuPercent;
    t.timers += p.timers;
  }
  return [...byName.values()];
}

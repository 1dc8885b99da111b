// Chart series per group: live from the SSE stats ticks, older points from GET /api/metrics/history.
import { signal } from "@preact/signals";
import type { MetricsHistoryResponse, StatsTick } from "../src/admin/contract.ts";

/** lag: the slowest process's event-loop delay, seconds. */
export type Metric = "qps" | "connections" | "rssBytes" | "lag";
/** null: no figure for this second (a new process has not reported its memory yet). */
type Values = Record<Metric, number | null>;

export interface Sample {
  /** unix ms */
  at: number;
  groups: Record<string, Values>;
}

const LIVE_KEEP_MS = 5 * 60_000;
const live: Sample[] = [];
/** Bumped on every tick so charts showing live data redraw. */
export const liveVersion = signal(0);

export function recordTick(tick: StatsTick): void {
  const groups: Record<string, Values> = {};
  for (const p of tick.processes) {
    if (p.state === "exited") continue;
    const g = (groups[p.group] ??= { qps: 0, connections: 0, rssBytes: 0, lag: null });
    g.qps = (g.qps ?? 0) + p.qps;
    if (p.eventLoopLagSeconds != null) g.lag = Math.max(g.lag ?? 0, p.eventLoopLagSeconds);
    g.connections = (g.connections ?? 0) + p.connections;
    // During a reload the old process may be gone while the new one has not reported: a gap, not a dip to zero.
    g.rssBytes = p.rssBytes === 0 || g.rssBytes === null ? null : g.rssBytes + p.rssBytes;
  }
  live.push({ at: tick.at, groups });
  while (live.length > 0 && live[0]!.at < tick.at - LIVE_KEEP_MS) live.shift();
  liveVersion.value++;
}

export function liveSamples(): readonly Sample[] {
  return live;
}

export function historySamples(history: MetricsHistoryResponse): Sample[] {
  const byAt = new Map<number, Sample>();
  for (const series of history.groups) {
    for (const point of series.points) {
      let sample = byAt.get(point.at);
      if (!sample) byAt.set(point.at, (sample = { at: point.at, groups: {} }));
      sample.groups[series.group] = { qps: point.qps, connections: point.connections, rssBytes: point.rssBytes, lag: point.eventLoopLagSeconds ?? null };
    }
  }
  return [...byAt.values()].sort((a, b) => a.at - b.at);
}

/** History up to where the live buffer starts, then the live buffer: one continuous line. */
export function joinSamples(history: readonly Sample[], recent: readonly Sample[], since: number): Sample[] {
  const liveStart = recent[0]?.at ?? Infinity;
  return [...history.filter((s) => s.at < liveStart), ...recent].filter((s) => s.at >= since);
}

/** uPlot's column layout: x in seconds, then one column per group (null where a group had no point). */
export function aligned(samples: readonly Sample[], groups: readonly string[], metric: Metric): [number[], ...(number | null)[][]] {
  const xs = samples.map((s) => s.at / 1000);
  const columns = groups.map((g) => samples.map((s) => s.groups[g]?.[metric] ?? null));
  return [xs, ...columns];
}

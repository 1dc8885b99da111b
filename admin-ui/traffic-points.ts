// Response-time and status-class series per http group over a range: from the stored history, then the live reads appended.
import type { MetricsHistoryResponse } from "../src/admin/contract.ts";
import type { TrafficSample } from "./traffic-samples.ts";

export const CODE_CLASSES = ["2xx", "3xx", "4xx", "5xx"] as const;
export type CodeClass = (typeof CODE_CLASSES)[number];

export interface GroupTrafficPoint {
  p50: number | null;
  p99: number | null;
  /** Responses per second by class; null: unknown here (not http, a first live read, counts that went back). */
  rates: Record<CodeClass, number> | null;
}

export interface TrafficPoint {
  /** unix ms */
  at: number;
  groups: Record<string, GroupTrafficPoint>;
}

/** One column per series, uPlot's layout: x in seconds, then one column per series. */
export type Columns = [number[], ...(number | null)[][]];

export interface SeriesSet {
  names: string[];
  data: Columns;
}

/** The history's group points: percentiles and class rates the master computed per bucket from its counts. */
export function historyTraffic(history: MetricsHistoryResponse): TrafficPoint[] {
  const byAt = new Map<number, TrafficPoint>();
  for (const series of history.groups) {
    for (const p of series.points) {
      let point = byAt.get(p.at);
      if (!point) byAt.set(p.at, (point = { at: p.at, groups: {} }));
      point.groups[series.group] = { p50: p.latency?.p50 ?? null, p99: p.latency?.p99 ?? null, rates: p.responsesPerSecond ?? null };
    }
  }
  return [...byAt.values()].sort((a, b) => a.at - b.at);
}

function classCounts(responses: Record<string, number>): Record<CodeClass, number> {
  const out: Record<CodeClass, number> = { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 };
  for (const [code, n] of Object.entries(responses)) {
    const cls = `${code[0]}xx` as CodeClass;
    if (code.length === 3 && cls in out) out[cls] += n;
  }
  return out;
}

/** Live reads: percentiles as the tick reported them, class rates between each read and the one before. */
export function liveTraffic(samples: readonly TrafficSample[]): TrafficPoint[] {
  return samples.map((s, i) => {
    const before = samples[i - 1];
    const seconds = before ? (s.at - before.at) / 1000 : 0;
    const groups: Record<string, GroupTrafficPoint> = {};
    for (const [name, g] of Object.entries(s.groups)) {
      const was = before?.groups[name];
      let rates: Record<CodeClass, number> | null = null;
      if (was && seconds > 0) {
        const now = classCounts(g.responses);
        const then = classCounts(was.responses);
        // A count that went back (another master) gives a gap rather than a negative rate.
        if (CODE_CLASSES.every((c) => now[c] >= then[c]))
          rates = Object.fromEntries(CODE_CLASSES.map((c) => [c, (now[c] - then[c]) / seconds])) as Record<CodeClass, number>;
      }
      groups[name] = { p50: g.p50, p99: g.p99, rates };
    }
    return { at: s.at, groups };
  });
}

/**
 * History up to where the live reads start, then the live reads, from `since` on. The first live read has no rates
 * (nothing before it to subtract): after history it is left out, so the lines run on instead of breaking at the seam.
 */
export function joinTraffic(history: readonly TrafficPoint[], live: readonly TrafficPoint[], since: number): TrafficPoint[] {
  const first = live[0];
  const unrated = first && Object.values(first.groups).length > 0 && Object.values(first.groups).every((g) => g.rates === null);
  const seamless = history.length > 0 && unrated ? live.slice(1) : live;
  const liveStart = seamless[0]?.at ?? Infinity;
  return [...history.filter((p) => p.at < liveStart), ...seamless].filter((p) => p.at >= since);
}

const groupsOf = (points: readonly TrafficPoint[], has: (g: GroupTrafficPoint) => boolean) =>
  [...new Set(points.flatMap((p) => Object.keys(p.groups).filter((g) => has(p.groups[g]!))))].sort();

/** "web p50" and "web p99" for each group that answered a request in the range. */
export function latencySeries(points: readonly TrafficPoint[]): SeriesSet {
  const groups = groupsOf(points, (g) => g.p99 !== null);
  const names = groups.flatMap((g) => [`${g} p50`, `${g} p99`]);
  const columns = groups.flatMap((g) => [points.map((p) => p.groups[g]?.p50 ?? null), points.map((p) => p.groups[g]?.p99 ?? null)]);
  return { names, data: [points.map((p) => p.at / 1000), ...columns] };
}

/** "web 2xx", "web 5xx": each class a group answered in the range, per second. */
export function classRateSeries(points: readonly TrafficPoint[]): SeriesSet {
  const pairs = groupsOf(points, (g) => g.rates !== null).flatMap((g) =>
    CODE_CLASSES.filter((c) => points.some((p) => (p.groups[g]?.rates?.[c] ?? 0) > 0)).map((c) => [g, c] as const),
  );
  const columns = pairs.map(([g, c]) => points.map((p) => p.groups[g]?.rates?.[c] ?? null));
  return { names: pairs.map(([g, c]) => `${g} ${c}`), data: [points.map((p) => p.at / 1000), ...columns] };
}

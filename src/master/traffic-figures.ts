// The traffic figures of /api/status: per process from its last report, per group from the master's totals.
import { addCounts, emptyCounts, quantile } from "../latency-histogram.ts";
import type { ProcessCounters, ReportedHistogram } from "../ipc.ts";
import type { ProcessSource } from "./supervisor-interface.ts";
import type { AppHistogramFigures, GroupTrafficFigures, LatencyFigures, TrafficFigures } from "./traffic-records.ts";
import { sumsOf, trafficTotals, type TrafficSums } from "./traffic-totals.ts";

/** A row whose process has not reported yet (or a slot without a process). */
export const NO_TRAFFIC: TrafficFigures = {
  errors: { http5xx: 0, handler: 0 },
  latency: { p50: null, p99: null },
  eventLoopLagSeconds: null,
  responses: {},
  bytes: { in: 0, out: 0 },
  messages: { in: 0, out: 0 },
  app: { values: {}, histograms: {} },
};

function latencyOf(recent: readonly number[] | null): LatencyFigures {
  if (recent === null) return { p50: null, p99: null };
  return { p50: quantile(recent, 0.5), p99: quantile(recent, 0.99) };
}

function http5xx(codes: Record<string, number>): number {
  let n = 0;
  for (const [code, count] of Object.entries(codes)) if (code.length === 3 && code[0] === "5") n += count;
  return n;
}

function histogramsOf(totals: TrafficSums, recent: Map<string, number[]>): Record<string, AppHistogramFigures> {
  return Object.fromEntries(
    Object.entries(totals.observed).map(([name, h]) => {
      const window = recent.get(name) ?? null;
      const count = h.counts.reduce((a, b) => a + b, 0);
      return [name, { count, sum: h.sum, ...latencyOf(window) }];
    }),
  );
}

function figures(
  sums: TrafficSums,
  recent: number[] | null,
  observedRecent: Map<string, number[]>,
  values: Record<string, number>,
  lag: number | null,
): TrafficFigures {
  return {
    errors: { http5xx: http5xx(sums.codes), handler: sums.handlerErrors },
    latency: sums.duration === null ? { p50: null, p99: null } : latencyOf(recent),
    eventLoopLagSeconds: lag,
    responses: sums.codes,
    bytes: { in: sums.bytesIn, out: sums.duration === null ? sums.bytesOut : null },
    messages: { in: sums.requests, out: sums.messagesOut },
    app: { values, histograms: histogramsOf(sums, observedRecent) },
  };
}

function observedRecentOf(observed: Record<string, ReportedHistogram> | undefined, into = new Map<string, number[]>()): Map<string, number[]> {
  for (const [name, h] of Object.entries(observed ?? {})) into.set(name, addCounts(into.get(name) ?? emptyCounts(), h.recent));
  return into;
}

/** One process's figures from its last report (null: none yet). */
export function processTraffic(counters: ProcessCounters | null): TrafficFigures {
  if (!counters) return NO_TRAFFIC;
  const t = counters.traffic;
  return figures(sumsOf(counters), t?.http?.duration.recent ?? null, observedRecentOf(t?.observed), counters.metrics ?? {}, t?.eventLoopLagSeconds ?? null);
}

/** A group's figures: totals since the master started (exited processes included); latency, lag and app values from the live ones. */
export function groupTraffic(supervisor: ProcessSource, group: string): GroupTrafficFigures {
  const totals = trafficTotals(supervisor);
  const sums = totals.group(group);
  let recent: number[] | null = null;
  const observedRecent = new Map<string, number[]>();
  const values: Record<string, number> = {};
  let lag: number | null = null;
  for (const proc of totals.live(group)) {
    const t = proc.counters?.traffic;
    if (!t) continue;
    if (t.http) recent = addCounts(recent ?? emptyCounts(), t.http.duration.recent);
    observedRecentOf(t.observed, observedRecent);
    for (const [name, v] of Object.entries(proc.counters?.metrics ?? {})) values[name] = (values[name] ?? 0) + v;
    lag = Math.max(lag ?? 0, t.eventLoopLagSeconds);
  }
  return { requests: sums.requests, ...figures(sums, recent, observedRecent, values, lag) };
}

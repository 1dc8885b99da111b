// Sums the workers' traffic counters per group, keeping what exited processes counted so a group's totals never go back.
import { addCounts, emptyCounts, type HistogramCounts } from "../latency-histogram.ts";
import { MAX_STATUS_CODES, type ProcessCounters } from "../ipc.ts";
import type { ProcessSource, WorkerView as WorkerProcess } from "./supervisor-interface.ts";

/** What a group (or one process) has counted since it started; all of it only ever grows. */
export interface TrafficSums {
  requests: number;
  handlerErrors: number;
  bytesIn: number;
  bytesOut: number;
  messagesOut: number;
  /** null until an http:// process reports one. */
  duration: HistogramCounts | null;
  codes: Record<string, number>;
  errorsByCallback: Record<string, number>;
  observed: Record<string, HistogramCounts>;
  metricsRefused: number;
}

export function emptySums(): TrafficSums {
  return {
    requests: 0,
    handlerErrors: 0,
    bytesIn: 0,
    bytesOut: 0,
    messagesOut: 0,
    duration: null,
    codes: {},
    errorsByCallback: {},
    observed: {},
    metricsRefused: 0,
  };
}

/** One process's report as sums (a worker built before the traffic fields reports none of them). */
export function sumsOf(c: ProcessCounters): TrafficSums {
  const t = c.traffic;
  const codes = t?.http?.codes ?? {};
  const responses = Object.values(codes).reduce((a, b) => a + b, 0);
  const observed = Object.fromEntries(Object.entries(t?.observed ?? {}).map(([name, h]) => [name, { counts: h.counts, sum: h.sum }]));
  return {
    requests: c.requests,
    handlerErrors: c.handlerErrors,
    bytesIn: c.bytesRead,
    bytesOut: c.bytesWritten,
    messagesOut: t?.http ? responses : Math.max(0, (c.sends ?? 0) - c.sendFail),
    duration: t?.http ? { counts: t.http.duration.counts, sum: t.http.duration.sum } : null,
    codes,
    errorsByCallback: t?.errorsByCallback ?? {},
    observed,
    metricsRefused: t?.metricsRefused ?? 0,
  };
}

function addHistogram(into: HistogramCounts | null | undefined, from: HistogramCounts): HistogramCounts {
  const sum = into ?? { counts: emptyCounts(), sum: 0 };
  addCounts(sum.counts, from.counts);
  sum.sum += from.sum;
  return sum;
}

function addRecord(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n;
}

/** Adds `from` into `into` (mutating `into`). */
export function addSums(into: TrafficSums, from: TrafficSums): TrafficSums {
  into.requests += from.requests;
  into.handlerErrors += from.handlerErrors;
  into.bytesIn += from.bytesIn;
  into.bytesOut += from.bytesOut;
  into.messagesOut += from.messagesOut;
  into.metricsRefused += from.metricsRefused;
  if (from.duration) into.duration = addHistogram(into.duration, from.duration);
  addRecord(into.codes, from.codes);
  addRecord(into.errorsByCallback, from.errorsByCallback);
  for (const [name, h] of Object.entries(from.observed)) into.observed[name] = addHistogram(into.observed[name], h);
  return into;
}

/** The master's per-group totals: live processes' last reports plus the retired ones'. */
export class TrafficTotals {
  readonly #retired = new Map<string, TrafficSums>();
  readonly #tracked = new Set<WorkerProcess>();
  /** Per group, the status codes given their own label, first come first kept (MAX_STATUS_CODES). */
  readonly #namedCodes = new Map<string, Set<string>>();

  constructor(private readonly supervisor: ProcessSource) {
    // Every supervisor event (a start, an exit) is a moment to notice processes: one that lives less than a scrape still counts.
    supervisor.on(() => this.sync());
  }

  /** Moves the last report of every process that has exited into its group's retired sums. */
  sync(): void {
    const live = new Set([...this.supervisor.processes].filter((p) => p.state !== "exited"));
    for (const proc of this.#tracked) {
      if (live.has(proc)) continue;
      this.#tracked.delete(proc);
      if (proc.counters) addSums(this.#retiredOf(proc.group), sumsOf(proc.counters));
    }
    for (const proc of live) this.#tracked.add(proc);
  }

  #retiredOf(group: string): TrafficSums {
    let sums = this.#retired.get(group);
    if (!sums) this.#retired.set(group, (sums = emptySums()));
    return sums;
  }

  /** The group's totals since the master started, its status codes capped. */
  group(name: string): TrafficSums {
    this.sync();
    const total = addSums(emptySums(), this.#retired.get(name) ?? emptySums());
    for (const proc of this.#tracked) if (proc.group === name && proc.counters) addSums(total, sumsOf(proc.counters));
    total.codes = this.#capCodes(name, total.codes);
    return total;
  }

  /** The live processes of a group (the recent windows and the lag are theirs alone). */
  live(name: string): WorkerProcess[] {
    this.sync();
    return [...this.#tracked].filter((p) => p.group === name);
  }

  #capCodes(group: string, codes: Record<string, number>): Record<string, number> {
    let named = this.#namedCodes.get(group);
    if (!named) this.#namedCodes.set(group, (named = new Set()));
    const out: Record<string, number> = {};
    for (const [code, n] of Object.entries(codes)) {
      if (code !== "other" && !named.has(code) && named.size < MAX_STATUS_CODES) named.add(code);
      const key = code !== "other" && named.has(code) ? code : "other";
      out[key] = (out[key] ?? 0) + n;
    }
    return out;
  }
}

const bySupervisor = new WeakMap<ProcessSource, TrafficTotals>();

/** The one TrafficTotals of a supervisor, made on first use (the master makes it at start, so no exit is missed). */
export function trafficTotals(supervisor: ProcessSource): TrafficTotals {
  let totals = bySupervisor.get(supervisor);
  if (!totals) bySupervisor.set(supervisor, (totals = new TrafficTotals(supervisor)));
  return totals;
}

// The counting's parts without processes: bucket quantiles, the recent window, the caps on names and codes, group totals across exits.
import { describe, expect, test } from "bun:test";
import { BUCKETS, Histogram, quantile, RECENT_REPORTS } from "../../src/latency-histogram.ts";
import { MAX_STATUS_CODES, type ProcessCounters } from "../../src/ipc.ts";
import type { Supervisor } from "../../src/master/supervisor.ts";
import { TrafficTotals } from "../../src/master/traffic-totals.ts";
import type { WorkerProcess } from "../../src/master/worker-process.ts";
import { HttpCounting } from "../../src/worker/http-counting.ts";
import { MAX_METRIC_NAMES, MAX_OBSERVED_NAMES, MetricsRegistry } from "../../src/worker/metrics.ts";

describe("histogram", () => {
  test("quantiles interpolate within a bucket as histogram_quantile does; nothing counted is null; past 10 s is 10 s", () => {
    const counts = new Array(BUCKETS.length + 1).fill(0);
    expect(quantile(counts, 0.5)).toBeNull();
    counts[0] = 10; // 10 in [0, 0.5 ms]
    expect(quantile(counts, 0.5)).toBeCloseTo(0.00025, 9);
    counts[5] = 10; // 10 in (10 ms, 25 ms]
    expect(quantile(counts, 0.99)).toBeCloseTo(0.01 + 0.015 * 0.98, 9);
    counts[BUCKETS.length] = 1000;
    expect(quantile(counts, 0.99)).toBe(10);
  });

  test("observe() puts a value on a bound into that bound's bucket", () => {
    const h = new Histogram();
    for (const s of [0, 0.0005, 0.00051, 10, 11]) h.observe(s);
    expect(h.counts[0]).toBe(2);
    expect(h.counts[1]).toBe(1);
    expect(h.counts[BUCKETS.length - 1]).toBe(1);
    expect(h.counts[BUCKETS.length]).toBe(1);
    expect(h.sum).toBeCloseTo(21.00101, 9);
  });

  test(`the recent window holds what was observed over the last ${RECENT_REPORTS} reports only`, () => {
    const h = new Histogram();
    h.observe(5); // lands in the (2.5, 5] bucket, before the first report
    expect(h.report().recent[12]).toBe(1);
    for (let i = 0; i < RECENT_REPORTS - 1; i++) expect(h.report().recent[12]).toBe(1);
    h.observe(0.0001);
    const later = h.report();
    expect(later.recent[12]).toBe(0);
    expect(later.recent[0]).toBe(1);
    expect(later.counts[12]).toBe(1);
  });
});

describe("caps", () => {
  test(`worker.metrics keeps ${MAX_METRIC_NAMES} value names and ${MAX_OBSERVED_NAMES} histograms; a new name past them is refused and counted`, () => {
    const metrics = new MetricsRegistry();
    const warn = console.error;
    const warned: string[] = [];
    console.error = (line: string) => warned.push(line);
    try {
      for (let i = 0; i < MAX_METRIC_NAMES; i++) metrics.set(`m${i}`, i);
      metrics.set("one_too_many", 1);
      metrics.inc("another", 1);
      metrics.inc("m0", 5);
      for (let i = 0; i < MAX_OBSERVED_NAMES + 2; i++) metrics.observe(`h${i}`, 0.001);
    } finally {
      console.error = warn;
    }
    expect(metrics.get("one_too_many")).toBeUndefined();
    expect(metrics.get("m0")).toBe(5);
    expect(Object.keys(metrics.snapshot()!).length).toBe(MAX_METRIC_NAMES);
    expect(Object.keys(metrics.reportHistograms()!).length).toBe(MAX_OBSERVED_NAMES);
    expect(metrics.refused).toBe(4);
    expect(warned.length).toBe(1);
    expect(warned[0]).toContain('"one_too_many" refused');
    expect(() => metrics.observe("h0", -1)).toThrow(RangeError);
  });

  test(`a process names ${MAX_STATUS_CODES} status codes; later ones are counted as "other"`, () => {
    const http = new HttpCounting();
    for (let code = 200; code < 200 + MAX_STATUS_CODES + 5; code++) http.record(new Response(null, { status: code }), performance.now());
    http.record(new Response("x", { status: 200 }), performance.now());
    const codes = http.codes();
    expect(Object.keys(codes).length).toBe(MAX_STATUS_CODES + 1);
    expect(codes["200"]).toBe(2);
    expect(codes.other).toBe(5);
    expect(http.duration.counts.reduce((a, b) => a + b, 0)).toBe(MAX_STATUS_CODES + 6);
  });
});

describe("group totals", () => {
  const counters = (requests: number, codes: Record<string, number>): ProcessCounters =>
    ({
      requests,
      handlerErrors: 1,
      bytesRead: 10,
      bytesWritten: 20,
      sendFail: 0,
      traffic: {
        http: { duration: { counts: [requests], sum: requests / 1000, recent: [requests] }, codes },
        eventLoopLagSeconds: 0,
        errorsByCallback: { fetch: 1 },
        metricsRefused: 0,
      },
    }) as unknown as ProcessCounters;
  const proc = (pid: number, c: ProcessCounters) => ({ pid, group: "web", state: "ready", counters: c }) as unknown as WorkerProcess;

  test("an exited process's last report stays in its group's totals, so they never go back", () => {
    const listeners: (() => void)[] = [];
    const processes = new Set<WorkerProcess>();
    const supervisor = { processes, on: (l: () => void) => listeners.push(l) } as unknown as Supervisor;
    const totals = new TrafficTotals(supervisor);
    const first = proc(1, counters(5, { "200": 4, "500": 1 }));
    processes.add(first);
    expect(totals.group("web")).toMatchObject({ requests: 5, handlerErrors: 1, codes: { "200": 4, "500": 1 } });
    // It reports once more, then exits: the supervisor drops it and emits an event.
    first.counters = counters(7, { "200": 6, "500": 1 });
    processes.delete(first);
    for (const l of listeners) l();
    processes.add(proc(2, counters(3, { "200": 3 })));
    const sums = totals.group("web");
    expect(sums).toMatchObject({ requests: 10, handlerErrors: 2, bytesIn: 20, bytesOut: 40, codes: { "200": 9, "500": 1 }, errorsByCallback: { fetch: 2 } });
    expect(sums.duration!.counts[0]).toBe(10);
    // Only the live process's window.
    expect(totals.live("web").map((p) => p.pid)).toEqual([2]);
    expect(totals.group("web").requests).toBe(10);
  });
});

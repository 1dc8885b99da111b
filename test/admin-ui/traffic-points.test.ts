// Latency and status-class series over a range: the history's group points, the live reads turned into class rates, and the two joined.
import { beforeEach, describe, expect, test } from "bun:test";
import { classRateSeries, historyTraffic, joinTraffic, latencySeries, liveTraffic, type TrafficPoint } from "../../admin-ui/traffic-points.ts";
import { forgetTraffic, recordTraffic, trafficSamples } from "../../admin-ui/traffic-samples.ts";
import type { MetricsHistoryResponse, StatsTick } from "../../src/admin/contract.ts";

type Group = { name: string; latency: { p50: number | null; p99: number | null }; responses: Record<string, number> };
const tick = (groups: Group[]) => groups as unknown as StatsTick["groups"];
const web = (p50: number | null, p99: number | null, responses: Record<string, number>): Group => ({ name: "web", latency: { p50, p99 }, responses });
const chat: Group = { name: "chat", latency: { p50: null, p99: null }, responses: {} };
const rates = (r2: number, r5 = 0) => ({ "2xx": r2, "3xx": 0, "4xx": 0, "5xx": r5 });

function history(points: { at: number; p99: number | null; r: ReturnType<typeof rates> | null }[]): MetricsHistoryResponse {
  const base = { connections: 0, qps: 0, rssBytes: 1, cpuPercent: 0, eventLoopLagSeconds: null };
  return {
    from: 0,
    to: 0,
    step: 1,
    processes: [],
    groups: [
      { group: "web", points: points.map((p) => ({ ...base, at: p.at, latency: { p50: p.p99 && p.p99 / 2, p99: p.p99 }, responsesPerSecond: p.r })) },
      { group: "chat", points: points.map((p) => ({ ...base, at: p.at, latency: { p50: null, p99: null }, responsesPerSecond: null })) },
    ],
  };
}

describe("traffic points", () => {
  beforeEach(() => forgetTraffic());

  test("history: p50/p99 and class rates per group as the master computed them; a group without requests has no latency series", () => {
    const points = historyTraffic(
      history([
        { at: 2000, p99: 0.02, r: rates(5, 1) },
        { at: 1000, p99: null, r: rates(0) },
      ]),
    );
    expect(points.map((p) => p.at)).toEqual([1000, 2000]);
    const latency = latencySeries(points);
    expect(latency.names).toEqual(["web p50", "web p99"]);
    expect(latency.data).toEqual([
      [1, 2],
      [null, 0.01],
      [null, 0.02],
    ]);
    const codes = classRateSeries(points);
    // Only the classes the group answered; chat (not http) has none.
    expect(codes.names).toEqual(["web 2xx", "web 5xx"]);
    expect(codes.data).toEqual([
      [1, 2],
      [0, 5],
      [0, 1],
    ]);
  });

  test("live reads: class rates between each read and the one before; the first has none, and counts that went back give a gap", () => {
    recordTraffic(tick([web(0.002, 0.01, { "200": 10 }), chat]), 0);
    recordTraffic(tick([web(0.002, 0.01, { "200": 30, "204": 2, "500": 4 }), chat]), 2000);
    recordTraffic(tick([web(0.003, 0.02, { "200": 5 }), chat]), 4000);
    const points = liveTraffic(trafficSamples());
    expect(points.map((p) => p.groups.web!.rates)).toEqual([null, { "2xx": 11, "3xx": 0, "4xx": 0, "5xx": 2 }, null]);
    expect(classRateSeries(points).data).toEqual([
      [0, 2, 4],
      [null, 11, null],
      [null, 2, null],
    ]);
  });

  test("joined: history up to the first live read, then the live reads, from `since` on", () => {
    const p = (at: number): TrafficPoint => ({ at, groups: {} });
    expect(joinTraffic([p(1), p(2), p(3), p(4)], [p(3), p(5)], 2).map((x) => x.at)).toEqual([2, 3, 5]);
    expect(joinTraffic([p(1), p(2)], [], 0).map((x) => x.at)).toEqual([1, 2]);
    // The first live read has no rates yet: after history it is left out, so the status lines do not break at the seam.
    const noRates = { at: 3, groups: { web: { p50: 0.001, p99: 0.002, rates: null } } };
    const rated = { at: 5, groups: { web: { p50: 0.001, p99: 0.002, rates: rates(4) } } };
    expect(joinTraffic([p(1), p(2), p(3), p(4)], [noRates, rated], 0).map((x) => x.at)).toEqual([1, 2, 3, 4, 5]);
    expect(joinTraffic([], [noRates, rated], 0).map((x) => x.at)).toEqual([3, 5]);
  });

  test("a range with no samples draws no series", () => {
    const points = historyTraffic(history([]));
    expect(latencySeries(points)).toEqual({ names: [], data: [[]] });
    expect(classRateSeries(points)).toEqual({ names: [], data: [[]] });
  });
});

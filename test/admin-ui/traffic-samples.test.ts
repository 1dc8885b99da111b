// Latency and status-code series from successive ticks: percentiles as reported, code counts turned into rates.
import { beforeEach, describe, expect, test } from "bun:test";
import {
  codeColors,
  forgetTraffic,
  latencySeries,
  MIN_SAMPLE_GAP_MS,
  recordTraffic,
  statusCodeSeries,
  trafficSamples,
} from "../../admin-ui/traffic-samples.ts";
import type { StatsTick } from "../../src/admin/contract.ts";

type Group = { name: string; latency: { p50: number | null; p99: number | null }; responses: Record<string, number> };
const status = (groups: Group[]) => groups as unknown as StatsTick["groups"];
const web = (p50: number | null, p99: number | null, responses: Record<string, number>): Group => ({ name: "web", latency: { p50, p99 }, responses });
const chat: Group = { name: "chat", latency: { p50: null, p99: null }, responses: {} };

describe("traffic samples", () => {
  beforeEach(() => forgetTraffic());

  test("latency: p50 and p99 per group that answered, one column each; a group with no requests has no series", () => {
    recordTraffic(status([web(0.002, 0.01, {}), chat]), 1000);
    recordTraffic(status([web(0.003, null, {}), chat]), 3000);
    const { names, data } = latencySeries(trafficSamples());
    expect(names).toEqual(["web p50", "web p99"]);
    expect(data).toEqual([
      [1, 3],
      [0.002, 0.003],
      [0.01, null],
    ]);
  });

  test("status codes: the rate between successive reads, per group and code; a code first seen later starts from 0", () => {
    recordTraffic(status([web(0.002, 0.01, { "200": 10 })]), 0);
    recordTraffic(status([web(0.002, 0.01, { "200": 30, "500": 4 })]), 2000);
    recordTraffic(status([web(0.002, 0.01, { "200": 30, "500": 10 })]), 4000);
    const { names, data } = statusCodeSeries(trafficSamples());
    expect(names).toEqual(["web 200", "web 500"]);
    expect(data).toEqual([
      [2, 4],
      [10, 0],
      [2, 3],
    ]);
  });

  test("counts that go back (another master) give a gap, not a negative rate; one read gives no rate at all", () => {
    recordTraffic(status([web(null, null, { "200": 50 })]), 0);
    expect(statusCodeSeries(trafficSamples()).data).toEqual([[], []]);
    recordTraffic(status([web(null, null, { "200": 5 })]), 2000);
    expect(statusCodeSeries(trafficSamples()).data).toEqual([[2], [null]]);
  });

  test("samples older than 5 minutes are dropped", () => {
    recordTraffic(status([web(0.1, 0.2, {})]), 0);
    recordTraffic(status([web(0.1, 0.2, {})]), 5 * 60_000 + 1);
    expect(trafficSamples().map((s) => s.at)).toEqual([5 * 60_000 + 1]);
  });

  test("a read sooner than the minimum gap after the last kept one is not kept (no spikes from reads right after events)", () => {
    recordTraffic(status([web(null, null, { "200": 0 })]), 0);
    recordTraffic(status([web(null, null, { "200": 100 })]), MIN_SAMPLE_GAP_MS - 1);
    recordTraffic(status([web(null, null, { "200": 150 })]), 2000);
    expect(trafficSamples().map((s) => s.at)).toEqual([0, 2000]);
    expect(statusCodeSeries(trafficSamples()).data).toEqual([[2], [75]]);
  });

  test("status-code lines: 5xx in reds and 4xx in ambers, a different shade per group; other codes keep the palette", () => {
    const colors = codeColors(["api 200", "api 404", "api 500", "web 200", "web 500"]);
    expect(colors[0]).toBeUndefined();
    expect(colors[3]).toBeUndefined();
    expect(colors[1]).toBe("#b8a11e");
    expect(colors[2]).toBe("#d64545");
    expect(colors[4]).not.toBe(colors[2]);
    expect(colors[4]).toMatch(/^#/);
  });
});

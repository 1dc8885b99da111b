// The live reads of group percentiles and status codes: kept 5 minutes, thinned to one per ~2 s; the code lines' colours.
import { beforeEach, describe, expect, test } from "bun:test";
import { codeColors, forgetTraffic, MIN_SAMPLE_GAP_MS, recordTraffic, trafficSamples } from "../../admin-ui/traffic-samples.ts";
import type { StatsTick } from "../../src/admin/contract.ts";

type Group = { name: string; latency: { p50: number | null; p99: number | null }; responses: Record<string, number> };
const status = (groups: Group[]) => groups as unknown as StatsTick["groups"];
const web = (p50: number | null, p99: number | null, responses: Record<string, number>): Group => ({ name: "web", latency: { p50, p99 }, responses });

describe("traffic samples", () => {
  beforeEach(() => forgetTraffic());

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
    expect(trafficSamples()[1]!.groups.web!.responses).toEqual({ "200": 150 });
  });

  test("status lines: 5xx in reds and 4xx in ambers, a different shade per group; other classes keep the palette", () => {
    const colors = codeColors(["api 2xx", "api 4xx", "api 5xx", "web 2xx", "web 5xx"]);
    expect(colors[0]).toBeUndefined();
    expect(colors[3]).toBeUndefined();
    expect(colors[1]).toBe("#b8a11e");
    expect(colors[2]).toBe("#d64545");
    expect(colors[4]).not.toBe(colors[2]);
    expect(colors[4]).toMatch(/^#/);
  });
});

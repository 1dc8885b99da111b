// Chart series: ticks summed per group, history merged with the live buffer, uPlot's column layout.
import { describe, expect, test } from "bun:test";
import { aligned, historySamples, joinSamples, liveSamples, recordTick, type Sample } from "../../admin-ui/chart-data.ts";
import type { StatsTick } from "../../src/admin/contract.ts";

type TickProcess = StatsTick["processes"][number];
const proc = (over: Partial<TickProcess>): TickProcess => ({
  pid: 1,
  group: "web",
  index: 0,
  generation: 1,
  state: "ready",
  connections: 0,
  requests: 0,
  qps: 0,
  rssBytes: 0,
  cpuPercent: 0,
  timers: 0,
  errors: { http5xx: 0, handler: 0 },
  latency: { p50: null, p99: null },
  eventLoopLagSeconds: null,
  ...over,
});

describe("admin-ui chart data", () => {
  test("a tick sums each group's processes (lag: its slowest), skips exited ones, and leaves a memory gap while one has not reported", () => {
    recordTick({
      at: 1_000_000,
      processes: [
        proc({ pid: 1, qps: 10, connections: 2, rssBytes: 100, eventLoopLagSeconds: 0.002 }),
        proc({ pid: 2, qps: 5, connections: 1, rssBytes: 50, eventLoopLagSeconds: 0.12 }),
        proc({ pid: 3, state: "exited", qps: 99, connections: 99, rssBytes: 99 }),
        proc({ pid: 4, group: "chat", qps: 1, connections: 7, rssBytes: 0 }),
      ],
      groups: [],
    });
    const last = liveSamples().at(-1)!;
    expect(last.groups.web).toEqual({ qps: 15, connections: 3, rssBytes: 150, lag: 0.12 });
    expect(last.groups.chat).toEqual({ qps: 1, connections: 7, rssBytes: null, lag: null });
  });

  test("the live buffer keeps five minutes", () => {
    recordTick({ at: 2_000_000, processes: [proc({})], groups: [] });
    recordTick({ at: 2_000_000 + 5 * 60_000 + 1, processes: [proc({})], groups: [] });
    expect(liveSamples().every((s) => s.at >= 2_000_001)).toBe(true);
  });

  test("history points become samples sorted by time, one per second across groups", () => {
    const samples = historySamples({
      groups: [
        {
          group: "web",
          points: [
            { at: 2000, qps: 1, connections: 1, rssBytes: 10, eventLoopLagSeconds: 0.5 },
            { at: 1000, qps: 2, connections: 2, rssBytes: 20 },
          ],
        },
        { group: "chat", points: [{ at: 1000, qps: 3, connections: 3, rssBytes: 30 }] },
      ],
    } as never);
    expect(samples.map((s) => s.at)).toEqual([1000, 2000]);
    expect(Object.keys(samples[0]!.groups).sort()).toEqual(["chat", "web"]);
    expect(samples[1]!.groups.web!.lag).toBe(0.5);
    // A store written before lag was kept: no value, not 0.
    expect(samples[0]!.groups.web!.lag).toBeNull();
  });

  test("history stops where the live buffer starts, and the window starts at since", () => {
    const s = (at: number): Sample => ({ at, groups: {} });
    const joined = joinSamples([s(1), s(2), s(3), s(4)], [s(3), s(5)], 2);
    expect(joined.map((x) => x.at)).toEqual([2, 3, 5]);
  });

  test("aligned columns: x in seconds, null where a group has no point", () => {
    const samples: Sample[] = [
      { at: 1000, groups: { web: { qps: 1, connections: 0, rssBytes: 0, lag: null } } },
      { at: 2000, groups: { chat: { qps: 2, connections: 0, rssBytes: 0, lag: null } } },
    ];
    expect(aligned(samples, ["web", "chat"], "qps")).toEqual([
      [1, 2],
      [1, null],
      [null, 2],
    ]);
  });
});

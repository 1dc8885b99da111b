// The Workers table's derived figures: errors per process, the event-loop lag levels, and each group's total row.
import { describe, expect, test } from "bun:test";
import { formatLatency, groupTotals, LAG_BAD_SECONDS, LAG_WARN_SECONDS, lagLevel } from "../../admin-ui/process-figures.ts";
import type { StatusProcess } from "../../src/admin/contract.ts";

const proc = (pid: number | null, over: Partial<StatusProcess> = {}) =>
  ({
    pid,
    group: "web",
    index: 0,
    generation: 1,
    state: "ready",
    startedAt: 0,
    restarts: 0,
    listen: "http://127.0.0.1:1",
    connections: 1,
    requests: 10,
    qps: 2,
    sendFail: 0,
    handlerErrors: 0,
    protocolErrors: 0,
    bytesRead: 0,
    bytesWritten: 0,
    idleClosed: 0,
    timers: 1,
    rssBytes: 100,
    cpuPercent: 1.5,
    ...over,
  }) as StatusProcess;

describe("process figures", () => {
  test("latency reads in ms with a decimal below 10 ms, whole ms below a second, seconds past it; none is a dash", () => {
    expect(formatLatency(0.0005)).toBe("0.5 ms");
    expect(formatLatency(0.0421)).toBe("42 ms");
    expect(formatLatency(1.254)).toBe("1.25 s");
    expect(formatLatency(null)).toBe("–");
    expect(formatLatency(undefined)).toBe("–");
  });

  test("event-loop lag is fine below the warning, highlighted past it, a fault past the bad level, unknown when not reported", () => {
    expect(lagLevel(0)).toBe("ok");
    expect(lagLevel(LAG_WARN_SECONDS - 0.001)).toBe("ok");
    expect(lagLevel(LAG_WARN_SECONDS)).toBe("warn");
    expect(lagLevel(LAG_BAD_SECONDS)).toBe("bad");
    expect(lagLevel(undefined)).toBe("unknown");
    expect(lagLevel(null)).toBe("unknown");
    expect(lagLevel(Number.NaN)).toBe("unknown");
  });

  test("a group's total sums its running processes; restarts count its waiting slots too; exited ones add nothing else", () => {
    const list = [
      proc(1, { connections: 3, qps: 5, restarts: 1 }),
      proc(2, { index: 1, connections: 4, qps: 7 }),
      proc(null, { index: 2, state: "crashloop", restarts: 6, connections: 0, qps: 0, rssBytes: 0 }),
      proc(3, { state: "exited", connections: 9, qps: 9 }),
      proc(4, { group: "chat", listen: "websocket://127.0.0.1:2", qps: 11 }),
    ];
    const [web, chat] = groupTotals([{ name: "web" }, { name: "chat" }], list);
    expect(web).toEqual({ group: "web", processes: 2, connections: 7, qps: 12, rssBytes: 200, cpuPercent: 3, restarts: 7, timers: 2 });
    expect(chat).toMatchObject({ group: "chat", processes: 1, qps: 11 });
  });

  test("a group without processes still has its row (all zero), and a process of a group no longer listed gets one", () => {
    const totals = groupTotals([{ name: "idle" }], [proc(1, { group: "gone" })]);
    expect(totals.map((t) => [t.group, t.processes])).toEqual([
      ["idle", 0],
      ["gone", 1],
    ]);
  });
});

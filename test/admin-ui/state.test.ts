// The dashboard's live picture: status rows with the latest tick laid over them, totals, the capped event list.
import { describe, expect, test } from "bun:test";
import { applyTick, events, forgetMaster, groups, lastTick, processes, pushEvent, status, totals } from "../../admin-ui/state.ts";
import { trafficSamples } from "../../admin-ui/traffic-samples.ts";
import type { LiveEvent, StatsTick, StatusGroup, StatusProcess, StatusResponse } from "../../src/admin/contract.ts";

const row = (pid: number | null, over: Partial<StatusProcess> = {}) =>
  ({
    pid,
    group: "web",
    index: 0,
    generation: 1,
    state: "ready",
    startedAt: 0,
    restarts: 0,
    listen: "",
    connections: 1,
    requests: 1,
    qps: 1,
    sendFail: 0,
    rssBytes: 100,
    cpuPercent: 0,
    ...over,
  }) as StatusProcess;

type TickProcess = StatsTick["processes"][number];
const tickRow = (pid: number, over: Partial<TickProcess> = {}): TickProcess => ({
  pid,
  group: "web",
  index: 0,
  generation: 1,
  state: "ready",
  connections: 1,
  requests: 1,
  qps: 1,
  rssBytes: 100,
  cpuPercent: 0,
  timers: 0,
  errors: { http5xx: 0, handler: 0 },
  latency: { p50: null, p99: null },
  eventLoopLagSeconds: 0.001,
  ...over,
});

describe("admin-ui state", () => {
  test("a tick's numbers replace the status row's, per pid; rows the tick lacks keep theirs", () => {
    status.value = { processes: [row(1), row(2)] } as unknown as StatusResponse;
    lastTick.value = {
      at: 1,
      processes: [tickRow(1, { state: "draining", connections: 9, requests: 90, qps: 30, rssBytes: 500, cpuPercent: 12 })],
      groups: [],
    };
    const [first, second] = processes.value;
    expect(first).toMatchObject({ pid: 1, state: "draining", connections: 9, qps: 30, rssBytes: 500 });
    expect(second).toMatchObject({ pid: 2, state: "ready", connections: 1, qps: 1 });
  });

  test("errors, latency, lag and timers move with each tick, per process and per group, with no status read", () => {
    forgetMaster();
    const group = { name: "web", listen: "http://127.0.0.1:1", count: 1, errors: { http5xx: 0, handler: 0 }, latency: { p50: null, p99: null } };
    status.value = { groups: [group], processes: [row(1, { errors: { http5xx: 0, handler: 0 }, eventLoopLagSeconds: 0.001 })] } as unknown as StatusResponse;
    const figures = { errors: { http5xx: 3, handler: 1 }, latency: { p50: 0.002, p99: 0.04 }, eventLoopLagSeconds: 0.2 };
    applyTick({
      at: 10_000,
      processes: [tickRow(1, { ...figures, timers: 4 })],
      groups: [{ name: "web", requests: 50, ...figures, responses: { "200": 47, "500": 3 } }],
    });
    expect(processes.value[0]).toMatchObject({ ...figures, timers: 4 });
    expect(groups.value[0]).toMatchObject({ name: "web", listen: "http://127.0.0.1:1", count: 1, requests: 50, ...figures });
    // The charts' latency and status-code samples come from the same tick.
    expect(trafficSamples().at(-1)).toEqual({ at: 10_000, groups: { web: { p50: 0.002, p99: 0.04, responses: { "200": 47, "500": 3 } } } });
    // A status read that lands later (an older picture of the groups) does not hide the tick's figures.
    status.value = { ...status.value!, groups: [group as unknown as StatusGroup] };
    expect(groups.value[0]!.errors).toEqual({ http5xx: 3, handler: 1 });
  });

  test("the tick's master facts (Redis link, store failures, IPC drops) replace the status's, only when one changed", () => {
    forgetMaster();
    const link = { redis: "redis://127.0.0.1:6379", instance: "a", connected: true, instances: 2 };
    status.value = { master: { pid: 1, storeError: null }, groups: [], processes: [row(1)], cluster: link } as unknown as StatusResponse;
    const before = status.value;
    const facts = { cluster: link, storeError: null, ipc: undefined } as unknown as NonNullable<StatsTick["master"]>;
    applyTick({ at: 1, processes: [tickRow(1)], groups: [], master: facts });
    // Nothing changed: the same object, so nothing that reads the status redraws.
    expect(status.value).toBe(before);
    const lost = { ...link, connected: false, instances: 1, lastError: "connection refused" };
    const storeError = { errors: 3, lastError: "record samples: disk full", lastErrorAt: 5, available: true };
    applyTick({ at: 2, processes: [tickRow(1)], groups: [], master: { cluster: lost, storeError } as unknown as NonNullable<StatsTick["master"]> });
    expect(status.value!.cluster).toEqual(lost as never);
    expect(status.value!.master.storeError).toEqual(storeError);
    expect(status.value!.master.pid).toBe(1);
    expect(status.value!.processes).toBe(before!.processes);
  });

  test("totals leave exited processes out of the count but sum every row's numbers", () => {
    status.value = { processes: [row(1, { connections: 2 }), row(2, { state: "exited", connections: 0 })] } as unknown as StatusResponse;
    lastTick.value = null;
    expect(totals.value).toEqual({ processes: 1, connections: 2, rates: [["/s", 2]], rssBytes: 200 });
  });

  test("requests and messages are totalled apart, by the unit of each process's listener", () => {
    status.value = {
      processes: [
        row(1, { listen: "http://127.0.0.1:1", qps: 5 }),
        row(2, { listen: "websocket://127.0.0.1:2", qps: 7 }),
        row(3, { listen: "http://127.0.0.1:1", qps: 1 }),
        row(4, { listen: "udp://127.0.0.1:3", qps: 2 }),
        row(5, { listen: "text://127.0.0.1:4", qps: 3 }),
        // A slot waiting to restart: no process, no listener of its own, no rate (and no "/s" tile for it).
        row(null, { listen: "", qps: 0, state: "crashloop" }),
      ],
    } as unknown as StatusResponse;
    lastTick.value = null;
    expect(totals.value.rates).toEqual([
      ["req/s", 6],
      ["msg/s", 10],
      ["datagrams/s", 2],
    ]);
  });

  test("a slot waiting to restart (pid null) keeps its row through a tick and is not counted as a process", () => {
    status.value = { processes: [row(1), row(null, { state: "crashloop", connections: 0, qps: 0, rssBytes: 0 })] } as unknown as StatusResponse;
    lastTick.value = {
      at: 1,
      processes: [tickRow(1, { connections: 3, requests: 9, qps: 2, rssBytes: 500, cpuPercent: 1 })],
      groups: [],
    };
    expect(processes.value[1]).toMatchObject({ pid: null, state: "crashloop", connections: 0 });
    expect(totals.value.processes).toBe(1);
  });

  test("events are newest first and capped at 500", () => {
    forgetMaster();
    for (let i = 0; i < 510; i++) pushEvent({ type: "master-started", at: i, pid: i } as unknown as LiveEvent);
    expect(events.value).toHaveLength(500);
    expect(events.value[0]!.at).toBe(509);
  });

  test("forgetting the master clears everything it showed", () => {
    status.value = { processes: [row(1)] } as unknown as StatusResponse;
    forgetMaster();
    expect([status.value, lastTick.value, events.value]).toEqual([null, null, []]);
    expect(processes.value).toEqual([]);
  });
});

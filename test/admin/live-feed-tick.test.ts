// The live feed's stats tick: the per-process and per-group figures the dashboard moves every second, and only those.
import { describe, expect, test } from "bun:test";
import type { LiveEvent, StatsTick, StatusGroup, StatusProcess } from "../../src/admin/contract.ts";
import { feedFromMaster, LiveFeed, statsTick } from "../../src/admin/live-feed.ts";
import { NO_TRAFFIC } from "../../src/master/traffic-figures.ts";

const figures = {
  errors: { http5xx: 2, handler: 1 },
  latency: { p50: 0.003, p99: 0.25 },
  eventLoopLagSeconds: 0.12,
  responses: { "200": 40, "500": 2 },
};
const proc: StatusProcess = {
  ...NO_TRAFFIC,
  ...figures,
  pid: 41,
  group: "web",
  index: 0,
  generation: 3,
  state: "ready",
  startedAt: 1,
  restarts: 0,
  listen: "http://127.0.0.1:1",
  connections: 5,
  requests: 42,
  qps: 7,
  sendFail: 0,
  handlerErrors: 1,
  protocolErrors: 0,
  bytesRead: 900,
  bytesWritten: 0,
  idleClosed: 0,
  timers: 2,
  rssBytes: 1000,
  cpuPercent: 3,
  app: { values: { "orders.created": 5 }, histograms: {} },
};
const group: StatusGroup = {
  ...NO_TRAFFIC,
  ...figures,
  name: "web",
  listen: "http://127.0.0.1:1",
  count: 1,
  reloadable: true,
  healthySeconds: 2,
  requests: 60,
};

function nextTick(feed: LiveFeed): Promise<StatsTick> {
  return new Promise((resolve) => {
    const stop = feed.subscribe((event: LiveEvent) => {
      if (event.type !== "stats") return;
      stop();
      resolve(event as StatsTick);
    });
  });
}

describe("live feed stats tick", () => {
  test("carries each process's errors, latency, lag and timers, and each group's merged figures with its codes", async () => {
    const feed = new LiveFeed();
    let reads = 0;
    const stop = feedFromMaster(feed, { subscribe: () => () => {}, status: () => (reads++, { processes: [proc], groups: [group] }) }, 5);
    try {
      const tick = await nextTick(feed);
      expect(tick.processes).toEqual([
        {
          pid: 41,
          group: "web",
          index: 0,
          generation: 3,
          state: "ready",
          connections: 5,
          requests: 42,
          qps: 7,
          rssBytes: 1000,
          cpuPercent: 3,
          timers: 2,
          errors: { http5xx: 2, handler: 1 },
          latency: { p50: 0.003, p99: 0.25 },
          eventLoopLagSeconds: 0.12,
        },
      ]);
      // App metrics, bytes and listen addresses stay out: they are large or slow, and the status read has them.
      expect(tick.groups).toEqual([
        {
          name: "web",
          requests: 60,
          errors: { http5xx: 2, handler: 1 },
          latency: { p50: 0.003, p99: 0.25 },
          eventLoopLagSeconds: 0.12,
          responses: { "200": 40, "500": 2 },
        },
      ]);
      expect(reads).toBeGreaterThan(0);
    } finally {
      stop();
    }
  });

  test("with nobody subscribed the status is not read at all", async () => {
    const feed = new LiveFeed();
    let reads = 0;
    const stop = feedFromMaster(feed, { subscribe: () => () => {}, status: () => (reads++, { processes: [proc], groups: [group] }) }, 5);
    try {
      await Bun.sleep(30);
      expect(reads).toBe(0);
      await nextTick(feed);
      expect(reads).toBeGreaterThan(0);
    } finally {
      stop();
    }
  });
  test("carries the master's Redis link, store failures and IPC drops as the status has them, so the page reads no status for them", () => {
    const cluster = { redis: "redis://127.0.0.1:6379", instance: "a", connected: false, instances: 1, lastError: "refused" };
    const storeError = { errors: 2, lastError: "record samples: database or disk is full", lastErrorAt: 9, available: true };
    const ipc = { capBytes: 1024, dropped: { "to-worker": 1, "to-master": 0 } };
    const master = { pid: 1, version: "x", startedAt: 0, configPath: "/a.json", name: "t", tcpMigrateReq: 1, storeError };
    const tick = statsTick({ processes: [proc], groups: [group], master, cluster, ipc } as never, 5);
    expect(tick.master).toEqual({ cluster, storeError, ipc } as never);
    // Without a cluster or a failing store: nulls, not absent fields, so a reader can tell "fine" from "not sent".
    expect(statsTick({ processes: [], groups: [], master: { ...master, storeError: null } } as never, 5).master).toEqual({ cluster: null, storeError: null });
    // Rows alone (a source without the master's part): no master facts at all.
    expect(statsTick({ processes: [proc], groups: [group] }, 5).master).toBeUndefined();
  });
});

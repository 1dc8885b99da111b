// One host whose Redis stops answering mid-burst: its own members keep receiving publishToGroup, recover answers fast, and it rejoins once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { StatusCluster } from "../../src/admin/contract.ts";
import { AppUnderTest } from "../support/app-under-test.ts";
import { clientsOnProcesses, closeAll, keptOf, keptUntil, type ChannelClient } from "./channel-clients.ts";
import { RedisUnderTest } from "./redis-server.ts";
import { happensWithin } from "../support/wait.ts";

const FIXTURE = join(import.meta.dir, "fixtures/channel-app.ts");

function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
}

async function clusterOf(app: AppUnderTest): Promise<StatusCluster> {
  return (await app.status()).cluster!;
}

describe("a host whose Redis is stopped (SIGSTOP)", () => {
  let redis: RedisUnderTest;
  let host: AppUnderTest;
  let publisher: ChannelClient;
  let member: ChannelClient; // on the other worker process: every message crosses the master
  let late: ChannelClient;

  beforeAll(async () => {
    redis = await RedisUnderTest.start();
    host = await AppUnderTest.start({
      workers: [{ name: "ws", listen: "websocket://127.0.0.1:0", count: 2, handler: FIXTURE }],
      extra: { name: "stalled", cluster: { redis: redis.url }, channel: { history: { size: 1000, ttlSeconds: 300 } } },
    });
    await host.waitFor(async () => (await clusterOf(host)).connected, 5000, "cluster connected");
    const [one, other] = await clientsOnProcesses(`ws://127.0.0.1:${await host.port("ws")}`, 2, 2);
    [publisher, late, member] = [one![0]!, one![1]!, other![0]!];
    await member.cmd({ cmd: "recover", group: "room" });
  }, 60_000);

  afterAll(async () => {
    redis?.resume();
    await closeAll([publisher, member, late].filter(Boolean));
    await host?.[Symbol.asyncDispose]();
    await redis?.[Symbol.asyncDispose]();
  });

  test("the link turns disconnected within 5 s, local members get every message in order, recover answers within 4.5 s", async () => {
    await publisher.cmd({ cmd: "keep", group: "room", data: "before" });
    await keptUntil(member, "room", "before");
    const rssBefore = rssOf(host.master.pid);
    redis.pause();
    const stoppedAt = performance.now();
    const burst = publisher.cmd({ cmd: "burst", group: "room", prefix: "m", count: 1000 });
    const recoverStarted = performance.now();
    const recovered = await late.cmd<{ recovered: boolean; epoch: string }>({ cmd: "recover", group: "room" });
    const recoverMs = performance.now() - recoverStarted;
    // The link counts Redis as down after 2 s of silence (checked every 500 ms), then the host answers from its own history.
    expect(recoverMs).toBeLessThan(4500);
    expect(recovered.epoch).toBeTruthy();
    await host.waitFor(async () => !(await clusterOf(host)).connected, 5000, "the stalled Redis to count as down");
    expect(performance.now() - stoppedAt).toBeLessThan(5000);
    await burst;
    const seen = (await keptUntil(member, "room", "m-1000", 10_000)).map((k) => k.data);
    expect(seen.slice(1)).toEqual(Array.from({ length: 1000 }, (_, i) => `m-${i + 1}`));
    const grown = rssOf(host.master.pid) - rssBefore;
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    const down = await clusterOf(host);
    expect(down.lastError).toMatch(/did not answer/);
    expect(down.pendingBytes).toBe(0);
    const metrics = await (await fetch(`${host.adminUrl}/metrics`, { headers: { Authorization: `Bearer ${host.token}` } })).text();
    expect(metrics).toContain("workerman_cluster_connected 0");
    expect(metrics).toMatch(/workerman_cluster_pending_refused_total \d+/);
    console.log(`recover during the stall answered in ${Math.round(recoverMs)} ms; master RSS ${(grown / 1048576).toFixed(1)} MiB over the stall`);
  }, 30_000);

  test("Redis resumes: the host rejoins with one subscription, the group's epoch changes, and a new message arrives once", async () => {
    const before = keptOf(member, "room").at(-1)!;
    redis.resume();
    await host.waitFor(async () => (await clusterOf(host)).connected, 10_000, "the host to rejoin");
    expect((await clusterOf(host)).reconnects).toBe(1);
    const admin = new RedisClient(redis.url);
    try {
      const [, subscribers] = (await admin.send("PUBSUB", ["NUMSUB", "wm:{stalled}:bus"])) as [string, number];
      expect(Number(subscribers)).toBe(1);
    } finally {
      admin.close();
    }
    await publisher.cmd({ cmd: "keep", group: "room", data: "after" });
    const after = await keptUntil(member, "room", "after");
    expect(after.filter((k) => k.data === "after")).toHaveLength(1);
    expect(after.at(-1)!.epoch).not.toBe(before.epoch);
    // Nothing doubled: Redis ran late the appends it had been sent while stopped, but those were already delivered here.
    const doubled = () => {
      const datas = keptOf(member, "room").map((k) => k.data);
      return datas.length !== new Set(datas).size;
    };
    expect(await happensWithin(500, doubled)).toBe(false);
  }, 30_000);
});

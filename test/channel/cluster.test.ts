// Two instances joined by a real redis-server: cross-instance delivery and queries, and surviving a Redis crash.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { StatusCluster } from "../../src/admin/contract.ts";
import { AppUnderTest } from "../support/app-under-test.ts";
import { channelClient, clientsOnProcesses, closeAll, nothingArrives, type ChannelClient } from "./channel-clients.ts";
import { RedisUnderTest } from "./redis-server.ts";

const FIXTURE = join(import.meta.dir, "fixtures/channel-app.ts");

async function startInstance(redisUrl: string, count: number): Promise<AppUnderTest> {
  // Same app name (the cluster's namespace), separate config, ports and data directory.
  return AppUnderTest.start({
    workers: [{ name: "ws", listen: "websocket://127.0.0.1:0", count, handler: FIXTURE }],
    extra: { name: "clustered", cluster: { redis: redisUrl } },
  });
}

async function clusterOf(app: AppUnderTest): Promise<StatusCluster> {
  const cluster = (await app.status()).cluster;
  if (!cluster) throw new Error("status has no cluster section");
  return cluster;
}

describe("channel across two instances through Redis", () => {
  let redis: RedisUnderTest;
  let hostA: AppUnderTest;
  let hostB: AppUnderTest;
  let a1: ChannelClient; // host A, one process
  let a2: ChannelClient; // host A, the other process
  let b: ChannelClient; // host B

  beforeAll(async () => {
    redis = await RedisUnderTest.start();
    [hostA, hostB] = await Promise.all([startInstance(redis.url, 2), startInstance(redis.url, 1)]);
    [[a1], [a2]] = (await clientsOnProcesses(`ws://127.0.0.1:${await hostA.port("ws")}`)) as [[ChannelClient], [ChannelClient]];
    b = await channelClient(`ws://127.0.0.1:${await hostB.port("ws")}`);
    for (const host of [hostA, hostB]) await host.waitFor(async () => (await clusterOf(host)).connected, 5000, "cluster connected");
  }, 60_000);

  afterAll(async () => {
    await closeAll([a1, a2, b].filter(Boolean));
    await Promise.all([hostA?.[Symbol.asyncDispose](), hostB?.[Symbol.asyncDispose]()]);
    await redis?.[Symbol.asyncDispose]();
  });

  test("status shows each instance joined, with distinct instance ids and no failures", async () => {
    const [ca, cb] = await Promise.all([clusterOf(hostA), clusterOf(hostB)]);
    expect(ca).toMatchObject({ connected: true, failures: 0, redis: redis.url });
    expect(cb).toMatchObject({ connected: true, failures: 0 });
    expect(ca.instance).not.toBe(cb.instance);
  });

  test("sendToUid from host B reaches the uid bound on host A; isUidOnline and the uid count see both hosts", async () => {
    await a1.cmd({ cmd: "bind", uid: "ann" });
    await b.cmd({ cmd: "bind", uid: "bob" });
    await b.cmd({ cmd: "toUid", uid: "ann", data: "B to ann" });
    await a1.expectDelivery("B to ann");
    expect(await nothingArrives(a2, "B to ann", 100)).toBe(true);
    expect(await b.cmd({ cmd: "online", uid: "ann" })).toBe(true);
    expect(await a2.cmd({ cmd: "online", uid: "bob" })).toBe(true);
    expect(await b.cmd({ cmd: "online", uid: "carl" })).toBe(false);
    expect(await a2.cmd({ cmd: "uidCount" })).toBe(2);
  });

  test("sendToGroup reaches members on both hosts but the excluded sender; the group count adds both hosts", async () => {
    await a1.cmd({ cmd: "join", group: "world" });
    await b.cmd({ cmd: "join", group: "world" });
    await a2.cmd({ cmd: "join", group: "world" });
    // Another host's joins reach Redis a moment after they are acknowledged locally: wait for them, then send.
    await hostB.waitFor(async () => (await b.cmd({ cmd: "groupCount", group: "world" })) === 3, 3000, "group count 3 across hosts");
    await b.cmd({ cmd: "toGroup", group: "world", data: "to the world", excludeSelf: true });
    await Promise.all([a1.expectDelivery("to the world"), a2.expectDelivery("to the world")]);
    expect(await nothingArrives(b, "to the world")).toBe(true);
  });

  test("getGroupMembers gathers the uids of members on both hosts", async () => {
    expect(await a2.cmd({ cmd: "members", group: "world" })).toEqual(["ann", "bob"]);
    expect(await b.cmd({ cmd: "members", group: "world" })).toEqual(["ann", "bob"]);
  });

  test("sendToAll from host A reaches every client of both hosts once", async () => {
    await a2.cmd({ cmd: "toAll", data: "all hosts" });
    await Promise.all([a1.expectDelivery("all hosts"), a2.expectDelivery("all hosts"), b.expectDelivery("all hosts")]);
    expect(await nothingArrives(b, "all hosts", 200)).toBe(true); // no second copy
  });

  test("the push API of one host reaches a uid on the other", async () => {
    const result = await hostB.api<{ cluster: string }>("/api/push", { method: "POST", body: JSON.stringify({ to: { uid: "ann" }, data: "pushed via B" }) });
    expect(result.cluster).toBe("published");
    await a1.expectDelivery("pushed via B");
  });

  test("Redis dies: local delivery continues, the failure shows; Redis returns: delivery across hosts resumes, once", async () => {
    await redis.kill();
    await hostA.waitFor(async () => !(await clusterOf(hostA)).connected, 5000, "host A to notice");
    await hostB.waitFor(async () => !(await clusterOf(hostB)).connected, 5000, "host B to notice");

    // Within host A, across its two processes, the master still relays.
    await a2.cmd({ cmd: "toUid", uid: "ann", data: "local while Redis is down" });
    await a1.expectDelivery("local while Redis is down");
    await b.cmd({ cmd: "toUid", uid: "ann", data: "lost while Redis is down" });
    // Queries answer with what this instance knows.
    expect(await b.cmd({ cmd: "online", uid: "bob" })).toBe(true);
    const down = await clusterOf(hostB);
    expect(down.connected).toBe(false);
    expect(down.failures).toBeGreaterThan(0);
    expect(down.lastError).toBeTruthy();
    expect(hostA.exited || hostB.exited).toBe(false);

    await redis.restart(); // same port, empty
    for (const host of [hostA, hostB]) await host.waitFor(async () => (await clusterOf(host)).connected, 10_000, "rejoin after Redis restart");
    expect((await clusterOf(hostA)).reconnects).toBeGreaterThanOrEqual(1);

    await b.cmd({ cmd: "toUid", uid: "ann", data: "after the restart" });
    await a1.expectDelivery("after the restart");
    expect(await nothingArrives(a1, "after the restart", 300)).toBe(true); // exactly once: no doubled subscription
    expect(a1.messages).not.toContain("lost while Redis is down");
    // The presence keys were written again into the empty Redis.
    expect(await b.cmd({ cmd: "online", uid: "ann" })).toBe(true);
    expect(await b.cmd({ cmd: "groupCount", group: "world" })).toBe(3);
  }, 30_000);

  test("a stopped instance leaves: its uids are offline for the others at once", async () => {
    expect(await a1.cmd({ cmd: "online", uid: "bob" })).toBe(true);
    await closeAll([b]);
    await hostB.stop();
    await hostA.waitFor(async () => (await a1.cmd({ cmd: "online", uid: "bob" })) === false, 3000, "bob offline");
    expect(await a1.cmd({ cmd: "groupCount", group: "world" })).toBe(2);
  });
});

// worker.shared with cluster.redis: two instances on a real redis-server share one store, atomically, and fail fast while Redis is away.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { AppUnderTest } from "../support/app-under-test.ts";
import { RedisUnderTest } from "../channel/redis-server.ts";
import { bursts, call, read, SHARED_APP } from "./shared-clients.ts";

const MAX_KEYS = 30;

async function startInstance(redisUrl: string, count: number): Promise<AppUnderTest> {
  // Same app name (the namespace in Redis), separate config, ports and data directory.
  return AppUnderTest.start({
    workers: [{ name: "web", listen: "http://127.0.0.1:0", count, handler: SHARED_APP }],
    extra: { name: "shared-cluster", cluster: { redis: redisUrl }, shared: { maxKeys: MAX_KEYS, maxValueBytes: 1024 } },
  });
}

describe("worker.shared across two instances through Redis", () => {
  let redis: RedisUnderTest;
  let hostA: AppUnderTest;
  let hostB: AppUnderTest;
  let a: number;
  let b: number;

  const connected = async (host: AppUnderTest) => (await host.status()).cluster?.connected === true;

  beforeAll(async () => {
    redis = await RedisUnderTest.start();
    [hostA, hostB] = await Promise.all([startInstance(redis.url, 2), startInstance(redis.url, 2)]);
    [a, b] = await Promise.all([hostA.port("web"), hostB.port("web")]);
    for (const host of [hostA, hostB]) await host.waitFor(() => connected(host), 5000, "cluster connected");
  }, 60_000);

  afterAll(async () => {
    await Promise.all([hostA?.[Symbol.asyncDispose](), hostB?.[Symbol.asyncDispose]()]);
    await redis?.[Symbol.asyncDispose]();
  });

  test("a thousand concurrent incr from the processes of both instances sum exactly, and both read the sum", async () => {
    const { calls, pids } = await bursts([a, b], "/incr-burst", "hits", 8, 125);
    expect(calls).toBe(1000);
    expect(pids.size).toBeGreaterThanOrEqual(2);
    expect(await read(a, "hits")).toBe(1000);
    expect(await read(b, "hits")).toBe(1000);
  }, 30_000);

  test("compareAndSet across instances: absent, match with keys in another order, mismatch, contended increments", async () => {
    expect((await call(a, { op: "cas", key: "c", absent: true, value: { b: 2, a: 1 } })).value).toBe(true);
    expect((await call(b, { op: "cas", key: "c", absent: true, value: 0 })).value).toBe(false);
    expect((await call(b, { op: "cas", key: "c", expected: { a: 1, b: 2 }, value: [1] })).value).toBe(true);
    expect((await call(a, { op: "cas", key: "c", expected: { a: 1, b: 2 }, value: "late" })).value).toBe(false);
    expect(await read(a, "c")).toEqual([1]);
    const { calls } = await bursts([a, b], "/cas-burst", "cas-n", 6, 20);
    expect(await read(b, "cas-n")).toBe(calls);
    expect((await call(a, { op: "delete", key: "cas-n" })).value).toBe(true);
    expect(await read(b, "cas-n")).toBeUndefined();
  }, 30_000);

  test("TTL expiry is Redis's, seen by both instances; incr keeps the expiry and refuses a non-integer", async () => {
    await call(a, { op: "set", key: "ttl", value: 5, ttlSeconds: 1.5 });
    expect((await call(b, { op: "incr", key: "ttl", by: 2 })).value).toBe(7);
    expect(await read(a, "ttl")).toBe(7);
    await hostA.waitFor(async () => (await read(b, "ttl")) === undefined, 5000, "expiry");
    await call(a, { op: "set", key: "text", value: "abc" });
    expect(await call(b, { op: "incr", key: "text" })).toMatchObject({ ok: false, code: "E_USAGE" });
  });

  test("limits name themselves: maxValueBytes, and maxKeys counted over the cluster (expired keys freed)", async () => {
    expect(await call(a, { op: "set", key: "big", value: "x".repeat(2000) })).toMatchObject({ ok: false, code: "E_LIMIT", field: "shared.maxValueBytes" });
    const flush = new RedisClient(redis.url);
    await flush.send("FLUSHALL", []);
    flush.close();
    for (let i = 0; i < MAX_KEYS; i++) {
      const answer = await call(i % 2 ? a : b, { op: "set", key: `k${i}`, value: i, ttlSeconds: i < 3 ? 2 : undefined });
      expect(answer.ok).toBe(true);
    }
    const refused = await call(a, { op: "incr", key: "one-more" });
    expect(refused).toMatchObject({ ok: false, code: "E_LIMIT", field: "shared.maxKeys" });
    expect(refused.message).toContain(`shared.maxKeys (${MAX_KEYS})`);
    expect((await call(b, { op: "set", key: "k5", value: "replaced" })).ok).toBe(true);
    await hostA.waitFor(async () => (await read(a, "k0")) === undefined, 5000, "k0 expired");
    expect((await call(b, { op: "set", key: "one-more", value: 1 })).ok).toBe(true);
  });

  test("with Redis stopped (SIGSTOP) or killed, calls fail fast with a clear error, and work again once it is back", async () => {
    await call(a, { op: "set", key: "kept", value: "v" });
    redis.pause();
    try {
      const stalled = await Promise.all([call(a, { op: "get", key: "kept" }), call(b, { op: "incr", key: "n" })]);
      for (const answer of stalled) {
        expect(answer).toMatchObject({ ok: false, code: "E_UNAVAILABLE" });
        expect(answer.message).toContain("Redis");
        expect(answer.ms).toBeLessThan(3000);
      }
    } finally {
      redis.resume();
    }
    await hostA.waitFor(async () => (await call(a, { op: "get", key: "kept" })).ok, 10_000, "calls work after the stall");
    await redis.kill();
    await hostA.waitFor(async () => !(await connected(hostA)), 5000, "link lost");
    const down = await call(a, { op: "set", key: "kept", value: "w" });
    expect(down).toMatchObject({ ok: false, code: "E_UNAVAILABLE" });
    expect(down.message).toContain("out of reach");
    // At once: well before the 2 s a silent Redis gets (the margin is for a loaded machine's scheduling).
    expect(down.ms).toBeLessThan(1000);
    await redis.restart();
    for (const [host, port] of [[hostA, a] as const, [hostB, b] as const]) {
      await host.waitFor(async () => (await call(port, { op: "set", key: "back", value: 1 })).ok, 10_000, "calls work after Redis restarts");
    }
    expect(await read(b, "back")).toBe(1);
  }, 40_000);
});

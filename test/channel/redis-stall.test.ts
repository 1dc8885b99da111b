// A Redis that stops answering (SIGSTOP) counts as down: the link drops within seconds, what waits for it is capped, and it rejoins once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { RedisLink } from "../../src/channel/cluster/redis-link.ts";
import { happensWithin, waitFor } from "../support/wait.ts";
import { RedisUnderTest } from "./redis-server.ts";

const CAP = 256 * 1024;

describe("RedisLink against a stopped redis-server", () => {
  let redis: RedisUnderTest;
  let link: RedisLink;
  const received: string[] = [];
  const logged: string[] = [];
  let ups = 0;

  beforeAll(async () => {
    redis = await RedisUnderTest.start();
    link = new RedisLink({
      url: redis.url,
      name: "stall-test",
      channel: "stall-bus",
      onMessage: (text) => received.push(text),
      onUp: async () => void ups++,
      log: (line) => logged.push(line),
      maxPendingBytes: CAP,
    });
    link.start();
    await waitFor(() => link.status.connected, { timeoutMs: 5000, what: "the link to connect" });
  });

  afterAll(async () => {
    redis?.resume();
    await link?.stop();
    await redis?.[Symbol.asyncDispose]();
  });

  test("scripts go whole once per connection, then by SHA1; a flushed script cache costs one failed call", async () => {
    const admin = new RedisClient(redis.url);
    try {
      await admin.send("CONFIG", ["RESETSTAT"]);
      const run = () => link.command("EVAL", ["return ARGV[1]", "0", "x"]);
      expect([await run(), await run(), await run()]).toEqual(["x", "x", "x"]);
      const stats = String(await admin.send("INFO", ["commandstats"]));
      expect(/cmdstat_eval:calls=(\d+)/.exec(stats)?.[1]).toBe("1");
      expect(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1]).toBe("2");
      await admin.send("SCRIPT", ["FLUSH"]);
      await expect(run()).rejects.toThrow("NOSCRIPT");
      expect(await run()).toBe("x");
    } finally {
      admin.close();
    }
  });

  test("this process blocked for 3 s with commands out is not mistaken for a stalled Redis", async () => {
    const failures = link.status.failures;
    for (let i = 0; i < 100; i++) link.publish(`busy ${i}`);
    const until = performance.now() + 3000;
    while (performance.now() < until); // a synchronous stretch: Redis's answers wait unread meanwhile
    expect(await link.command("PING", [])).toBe("PONG");
    expect(link.status.connected).toBe(true);
    expect(link.status.failures).toBe(failures);
  });

  test("stalled: disconnected within 5 s, pending bytes capped and refusals counted, a command fails fast with a reason", async () => {
    redis.pause();
    const stoppedAt = performance.now();
    const sent = Array.from({ length: 64 }, (_, i) => link.publish(`${i}:${"x".repeat(8192)}`));
    expect(sent.filter(Boolean).length).toBeLessThan(64);
    expect(sent[0]).toBe(true);
    const during = link.report();
    expect(during.pendingBytes).toBeLessThanOrEqual(CAP);
    expect(during.pendingRefused).toBeGreaterThan(0);
    expect(during.connected).toBe(true); // not yet: a stall is only known by its silence
    // Logged once, however many were refused.
    expect(logged.filter((line) => line.includes("cluster.maxPendingBytes"))).toHaveLength(1);

    const command = link.command("GET", ["some-key"]).then(
      () => "answered",
      (err: Error) => err.message,
    );
    await waitFor(() => !link.status.connected, { timeoutMs: 5000, intervalMs: 20, what: "the link to count the stalled Redis as down" });
    const downAfter = performance.now() - stoppedAt;
    expect(downAfter).toBeLessThan(5000);
    expect(await command).toMatch(/Redis link lost: Redis did not answer for \d+ ms/);
    expect(performance.now() - stoppedAt).toBeLessThan(5000);
    expect(link.report().pendingBytes).toBe(0);
    expect(link.status.lastError).toMatch(/did not answer/);
    expect(logged.at(-1)).toMatch(/^cluster: lost Redis \(Redis did not answer for \d+ ms\); local delivery continues/);
    // While it is down, nothing is queued: a publish is refused at once.
    expect(link.publish("while down")).toBe(false);
    await expect(link.command("GET", ["k"])).rejects.toThrow("not connected to Redis");
    console.log(`stalled Redis counted as down after ${Math.round(downAfter)} ms`);
  }, 15_000);

  test("resumed: the link rejoins, with one subscription, and a message arrives once", async () => {
    // A reconnection attempt against the stopped server fails on its own (the handshake is bounded), then Redis comes back.
    const failures = link.status.failures;
    await waitFor(() => link.status.failures > failures, { timeoutMs: 8000, what: "a reconnection attempt to time out" });
    expect(link.status.lastError).toMatch(/did not answer the handshake/);
    expect(link.status.connected).toBe(false);
    redis.resume();
    await waitFor(() => link.status.connected, { timeoutMs: 10_000, intervalMs: 20, what: "the link to rejoin" });
    expect(link.status.reconnects).toBe(1);
    expect(ups).toBe(2);
    const admin = new RedisClient(redis.url);
    try {
      const [, subscribers] = (await admin.send("PUBSUB", ["NUMSUB", "stall-bus"])) as [string, number];
      expect(Number(subscribers)).toBe(1);
      const clients = String(await admin.send("CLIENT", ["LIST"]))
        .split("\n")
        .filter((line) => line.includes(" name=stall-test:"));
      expect(clients.length).toBe(2); // the stalled connections were closed, not kept beside the new ones
      received.length = 0;
      await admin.send("PUBLISH", ["stall-bus", "after"]);
      await waitFor(() => received.includes("after"), { timeoutMs: 3000, what: "a message after the rejoin" });
      expect(await happensWithin(300, () => received.filter((m) => m === "after").length > 1)).toBe(false);
    } finally {
      admin.close();
    }
  }, 20_000);
});

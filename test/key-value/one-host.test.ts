// worker.shared on one host, on the real product: atomic across processes, kept by the master through reloads and crashes, bounded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AppUnderTest, livePids } from "../support/app-under-test.ts";
import { bursts, call, read, SHARED_APP } from "./shared-clients.ts";

describe("worker.shared on one host", () => {
  let app: AppUnderTest;
  let web: number;
  let other: number;

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [
        // watchdog off: the stalled-master test stops the master for longer than a watchdog would allow.
        { name: "web", listen: "http://127.0.0.1:0", count: 3, handler: SHARED_APP, watchdogSeconds: 0 },
        { name: "other", listen: "http://127.0.0.1:0", count: 1, handler: SHARED_APP, watchdogSeconds: 0 },
      ],
      extra: { shared: { maxKeys: 40, maxValueBytes: 200 } },
    });
    [web, other] = await Promise.all([app.port("web"), app.port("other")]);
  }, 30_000);

  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
  });

  test("a thousand concurrent incr from several processes of two groups sum exactly", async () => {
    const { calls, pids } = await bursts([web, web, web, other], "/incr-burst", "hits", 8, 125);
    expect(calls).toBe(1000);
    expect(pids.size).toBeGreaterThanOrEqual(2);
    expect(await read(other, "hits")).toBe(1000);
    expect(await read(web, "hits")).toBe(1000);
  }, 30_000);

  test("compareAndSet: absent, match, mismatch, key order, and contended increments that sum exactly", async () => {
    expect((await call(web, { op: "cas", key: "c", absent: true, value: { b: 2, a: [1, "x"] } })).value).toBe(true);
    expect((await call(web, { op: "cas", key: "c", absent: true, value: 9 })).value).toBe(false);
    expect((await call(other, { op: "cas", key: "c", expected: { a: [1, "x"], b: 2 }, value: "next" })).value).toBe(true);
    expect((await call(web, { op: "cas", key: "c", expected: "stale", value: "lost" })).value).toBe(false);
    expect(await read(web, "c")).toBe("next");
    const { calls } = await bursts([web, other], "/cas-burst", "cas-n", 6, 25);
    expect(await read(other, "cas-n")).toBe(calls);
    expect((await call(web, { op: "delete", key: "cas-n" })).value).toBe(true);
    expect((await call(web, { op: "delete", key: "cas-n" })).value).toBe(false);
    expect(await read(web, "cas-n")).toBeUndefined();
  }, 30_000);

  test("a value with ttlSeconds is gone for every process once it expires; incr keeps the expiry", async () => {
    // 1.5 s: long enough for the reads below on a loaded machine, short enough to wait for.
    await call(web, { op: "set", key: "ttl", value: { on: true }, ttlSeconds: 1.5 });
    await call(web, { op: "incr", key: "ttl-n", by: 5 });
    await call(web, { op: "set", key: "ttl-n", value: 5, ttlSeconds: 1.5 });
    expect(await read(other, "ttl")).toEqual({ on: true });
    expect((await call(other, { op: "incr", key: "ttl-n" })).value).toBe(6);
    await app.waitFor(async () => (await read(other, "ttl")) === undefined && (await read(web, "ttl-n")) === undefined, 5000, "expiry");
  });

  test("limits give errors that name them: maxValueBytes, maxKeys (expired keys do not count), key length, bad values", async () => {
    const big = await call(web, { op: "set", key: "big", value: "x".repeat(300) });
    expect(big).toMatchObject({ ok: false, code: "E_LIMIT", field: "shared.maxValueBytes" });
    expect(big.message).toContain("shared.maxValueBytes (200)");
    const fill = await Promise.all(Array.from({ length: 45 }, (_, i) => call(web, { op: "set", key: `k${i}`, value: i, ttlSeconds: i < 10 ? 2 : undefined })));
    const refused = fill.filter((a) => !a.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ code: "E_LIMIT", field: "shared.maxKeys" });
    expect(refused[0]!.message).toContain("shared.maxKeys (40)");
    // The ten with a TTL expire: their places go to new keys.
    await app.waitFor(async () => (await read(web, "k0")) === undefined, 5000, "k0 expired");
    expect((await call(other, { op: "set", key: "after-expiry", value: 1 })).ok).toBe(true);
    expect(await call(web, { op: "set", key: "y".repeat(300), value: 1 })).toMatchObject({ ok: false, code: "E_LIMIT", field: "key" });
    expect(await call(web, { op: "set", key: "", value: 1 })).toMatchObject({ ok: false, code: "E_USAGE" });
    expect(await call(web, { op: "incr", key: "c" })).toMatchObject({ ok: false, code: "E_USAGE" });
    expect((await call(web, { op: "incr", key: "c" })).message).toContain("not a whole number");
    for (let i = 0; i < 45; i++) await call(web, { op: "delete", key: `k${i}` });
  }, 20_000);

  test("a value survives a reload of every group and a worker's kill -9", async () => {
    await call(web, { op: "set", key: "kept", value: { reading: 21.5 } });
    const before = (await app.status()).processes;
    const { generation } = await app.api<{ generation: number }>("/api/reload", { method: "POST", body: "{}" });
    await app.waitFor(
      async () => {
        const procs = (await app.status()).processes;
        return procs.length === 4 && procs.every((p) => p.generation === generation && p.state === "ready");
      },
      15_000,
      `every group at generation ${generation}`,
    );
    expect(livePids((await app.status()).processes).some((pid) => livePids(before).includes(pid))).toBe(false);
    expect(await read(web, "kept")).toEqual({ reading: 21.5 });
    const [victim] = await app.pids("other");
    process.kill(victim!, "SIGKILL");
    await app.waitFor(async () => (await app.pids("other")).some((pid) => pid !== victim), 10_000, "other respawned");
    expect(await read(other, "kept")).toEqual({ reading: 21.5 });
  }, 40_000);

  test("a call while the master is stopped fails within the call timeout, and works again once it resumes", async () => {
    process.kill(app.master.pid, "SIGSTOP");
    try {
      const answer = await call(web, { op: "get", key: "kept" });
      expect(answer).toMatchObject({ ok: false, code: "E_UNAVAILABLE" });
      expect(answer.message).toContain("master did not answer");
      expect(answer.ms).toBeLessThan(6000);
    } finally {
      process.kill(app.master.pid, "SIGCONT");
    }
    expect(await read(web, "kept")).toEqual({ reading: 21.5 });
  }, 20_000);
});

// The history's byte bounds and pages, in the master's memory and in a real Redis: what is kept stays under maxBytes, reads come in pages.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HISTORY_PAGE_BYTES } from "../../src/channel/channel-limits.ts";
import { HistoryRules, type Retention } from "../../src/channel/master/history-rules.ts";
import { keptBytes, MemoryHistory } from "../../src/channel/master/memory-history.ts";
import { RedisHistory } from "../../src/channel/cluster/redis-history.ts";
import { RedisLink } from "../../src/channel/cluster/redis-link.ts";
import { RedisUnderTest } from "./redis-server.ts";
import { waitFor } from "../support/wait.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
const rules = (extra: Record<string, unknown> = {}) => new HistoryRules({ size: 1000, ttlSeconds: 60, groups: [], ...extra });
const keptOf = (history: MemoryHistory, group: string) => {
  const all: number[] = [];
  let since: number | undefined;
  for (;;) {
    const page = history.read(group, since);
    all.push(...page.messages.map(([offset]) => offset));
    if (!page.more) return all;
    since = page.messages.at(-1)![0];
  }
};

describe("MemoryHistory in bytes", () => {
  test("1,000 messages of 1 MB with size 1000: only maxBytes of them are kept, the newest", () => {
    const history = new MemoryHistory(rules({ maxBytes: 8 * MiB }));
    const mb = "x".repeat(1_000_000);
    for (let i = 1; i <= 1000; i++) history.append("g", mb);
    expect(history.bytes).toBeLessThanOrEqual(8 * MiB);
    expect(keptOf(history, "g")).toEqual([993, 994, 995, 996, 997, 998, 999, 1000]);
    expect(history.read("g", 992).complete).toBe(true);
    expect(history.read("g", 991).complete).toBe(false);
    history.stop();
  });

  test("dropped messages free their data at once, not at the next compaction of the group's log", () => {
    const history = new MemoryHistory(rules({ size: 2 }));
    Bun.gc(true);
    const before = process.memoryUsage.rss();
    // Unique strings, as each IPC message is: 300 of 1 MB through a history of 2.
    for (let i = 0; i < 300; i++) history.append("g", `${i}:`.padEnd(1_000_000, "q"));
    Bun.gc(true);
    expect(process.memoryUsage.rss() - before).toBeLessThan(64 * MiB);
    expect(keptOf(history, "g")).toEqual([299, 300]);
    history.stop();
  });

  test("a message larger than maxBytes gets its offset but is not kept, and the history before it goes", () => {
    const history = new MemoryHistory(rules({ maxBytes: 10 * KiB }));
    history.append("g", "a");
    history.append("g", "b");
    expect(history.append("g", "x".repeat(20 * KiB)).offset).toBe(3);
    history.append("g", "c");
    expect(history.read("g").messages).toEqual([[4, "c"]]);
    // A client at offset 1 or 2 cannot have missed nothing: message 3 was never kept.
    expect(history.read("g", 2).complete).toBe(false);
    expect(history.read("g", 3).complete).toBe(true);
    history.stop();
  });

  test("maxTotalBytes: past it the oldest go first, whatever their group; a rule may set its own maxBytes", () => {
    const history = new MemoryHistory(
      rules({ maxBytes: 1 * MiB, maxTotalBytes: 2 * MiB, groups: [{ match: "big", size: 1000, ttlSeconds: 60, maxBytes: 4 * MiB }] }),
    );
    const hundredK = "y".repeat(100 * KiB);
    for (let i = 0; i < 10; i++) history.append("a", hundredK);
    for (let i = 0; i < 10; i++) history.append("b", hundredK);
    for (let i = 0; i < 10; i++) history.append("c", hundredK);
    expect(history.bytes).toBeLessThanOrEqual(2 * MiB);
    // a went first (the oldest of all), b and c are whole.
    expect(keptOf(history, "a")).toEqual([]);
    expect(keptOf(history, "b")).toHaveLength(10);
    expect(keptOf(history, "c")).toHaveLength(10);
    for (let i = 0; i < 30; i++) history.append("big", hundredK);
    expect(history.bytes).toBeLessThanOrEqual(2 * MiB);
    expect(keptOf(history, "big").length).toBe(Math.floor((2 * MiB) / keptBytes(hundredK)));
    history.stop();
  });

  test("reads come in pages of at most 1 MiB (one message at least), `more` until the end", () => {
    const history = new MemoryHistory(rules({ maxBytes: 64 * MiB }));
    const quarter = "z".repeat(300 * KiB);
    for (let i = 0; i < 10; i++) history.append("g", quarter);
    const first = history.read("g", 0);
    expect(first.messages.map(([o]) => o)).toEqual([1, 2, 3]);
    expect(first.more).toBe(true);
    expect(history.read("g", 9).more).toBeUndefined();
    expect(history.read("g", 0, 2).messages).toHaveLength(2);
    expect(keptOf(history, "g")).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const huge = new MemoryHistory(rules({ maxBytes: 64 * MiB }));
    huge.append("g", "w".repeat(2 * HISTORY_PAGE_BYTES));
    huge.append("g", "small");
    expect(huge.read("g", 0).messages).toHaveLength(1);
    history.stop();
    huge.stop();
  });

  test("many groups churning: the app-wide order stays as small as what is kept", () => {
    const history = new MemoryHistory(rules({ size: 2, maxTotalBytes: 64 * MiB }));
    for (let i = 0; i < 200_000; i++) history.append(`g${i % 100}`, "m");
    expect(history.size).toBe(200);
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200_000; i++) history.append(`g${i % 100}`, "m");
    Bun.gc(true);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 * MiB);
    history.stop();
  });
});

describe("RedisHistory in bytes", () => {
  let redis: RedisUnderTest;
  let link: RedisLink;
  let store: RedisHistory;
  const retention = (maxBytes: number): Retention => ({ size: 1000, ttlMs: 60_000, maxBytes });

  beforeAll(async () => {
    redis = await RedisUnderTest.start();
    link = new RedisLink({ url: redis.url, name: "t", channel: "t-bus", onMessage() {}, onUp: async () => {}, log() {}, maxPendingBytes: 64 * MiB });
    link.start();
    await waitFor(() => link.status.connected, { what: "the Redis link" });
    store = new RedisHistory(link, "wm:{t}:", "t");
  });
  afterAll(async () => {
    await link.stop();
    await redis.kill();
  });

  test("40 messages of 100 KB with maxBytes 512 KiB: the stream holds the newest 512 KiB, reads come in pages", async () => {
    const data = "r".repeat(100 * KiB);
    for (let i = 0; i < 40; i++) expect(await store.append("room", data, undefined, retention(512 * KiB))).toBe(true);
    const all = await store.read("room", undefined, undefined, retention(512 * KiB));
    const kept = all!.messages.map(([o]) => o);
    expect(kept).toEqual([36, 37, 38, 39, 40]);
    expect((await store.read("room", 35, undefined, retention(512 * KiB)))!.complete).toBe(true);
    expect((await store.read("room", 34, undefined, retention(512 * KiB)))!.complete).toBe(false);

    for (let i = 0; i < 30; i++) await store.append("paged", data, undefined, retention(64 * MiB));
    const page = await store.read("paged", 0, undefined, retention(64 * MiB));
    expect(page!.messages.length).toBe(Math.floor(HISTORY_PAGE_BYTES / Buffer.byteLength(JSON.stringify(data))));
    expect(page!.more).toBe(true);
    const last = await store.read("paged", 25, undefined, retention(64 * MiB));
    expect(last!.messages.map(([o]) => o)).toEqual([26, 27, 28, 29, 30]);
    expect(last!.more).toBeUndefined();
  });

  test("a message over maxBytes is published with its offset but not kept, and the history before it goes", async () => {
    await store.append("big", "a", undefined, retention(10 * KiB));
    await store.append("big", "x".repeat(20 * KiB), undefined, retention(10 * KiB));
    await store.append("big", "b", undefined, retention(10 * KiB));
    const slice = await store.read("big", undefined, undefined, retention(10 * KiB));
    expect(slice!.messages).toEqual([[3, "b"]]);
    expect((await store.read("big", 1, undefined, retention(10 * KiB)))!.complete).toBe(false);
  });
});

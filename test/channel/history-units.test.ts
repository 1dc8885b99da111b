// The history's pure parts: retention rules, the master's in-memory log, and the gap-filling sequencer.
import { describe, expect, test } from "bun:test";
import { HistoryRules } from "../../src/channel/master/history-rules.ts";
import { KeptSequencer } from "../../src/channel/master/kept-sequencer.ts";
import { MemoryHistory } from "../../src/channel/master/memory-history.ts";
import type { Delivery, HistorySlice } from "../../src/channel/protocol.ts";
import { waitFor } from "../support/wait.ts";

type Kept = Extract<Delivery, { op: "kept" }>;
const kept = (offset: number, epoch = "e1"): Kept => ({ op: "kept", group: "g", offset, epoch, data: `m${offset}` });

describe("HistoryRules", () => {
  test("the first matching pattern wins; others get the app's default; no config keeps nothing", () => {
    const rules = new HistoryRules({
      size: 100,
      ttlSeconds: 300,
      groups: [
        { match: "room:*", size: 5, ttlSeconds: 10 },
        { match: "room:big", size: 999, ttlSeconds: 10 },
      ],
    });
    expect(rules.of("room:big")).toEqual({ size: 5, ttlMs: 10_000, maxBytes: 8 * 1024 * 1024 });
    expect(rules.of("lobby")).toEqual({ size: 100, ttlMs: 300_000, maxBytes: 8 * 1024 * 1024 });
    expect(rules.of("room.x")).toEqual({ size: 100, ttlMs: 300_000, maxBytes: 8 * 1024 * 1024 }); // "." is literal, "*" is the only wildcard
    expect(new HistoryRules(undefined).of("any").size).toBe(0);
  });
});

describe("MemoryHistory", () => {
  test("offsets rise by one; only the last `size` are kept; complete says whether a position can be served", () => {
    const history = new MemoryHistory(new HistoryRules({ size: 3, ttlSeconds: 60, groups: [] }));
    for (let i = 1; i <= 5; i++) expect(history.append("g", `m${i}`).offset).toBe(i);
    const all = history.read("g");
    expect(all.messages).toEqual([
      [3, "m3"],
      [4, "m4"],
      [5, "m5"],
    ]);
    expect(history.read("g", 2)).toMatchObject({ complete: true, offset: 5 });
    expect(history.read("g", 1).complete).toBe(false); // m2 is gone
    expect(history.read("g", 5)).toMatchObject({ complete: true, messages: [] });
    expect(history.read("g", 6).complete).toBe(false); // a position from the future
    expect(history.read("g", 3, 1).messages).toEqual([[4, "m4"]]);
    expect(history.read("other").epoch).not.toBe(all.epoch);
    history.stop();
  });

  test("messages older than ttl are not served", () => {
    const history = new MemoryHistory(new HistoryRules({ size: 10, ttlSeconds: 1, groups: [] }));
    history.append("g", "old", Date.now() - 5000);
    history.append("g", "new");
    expect(history.read("g").messages).toEqual([[2, "new"]]);
    expect(history.read("g", 0).complete).toBe(false);
    history.stop();
  });
});

describe("KeptSequencer", () => {
  test("in order passes through; a duplicate is dropped; a gap is filled from the history before what follows", async () => {
    const emitted: number[] = [];
    const gate = Promise.withResolvers<void>();
    const reads: number[] = [];
    const slice: HistorySlice = {
      epoch: "e1",
      offset: 9,
      messages: [
        [3, "m3"],
        [4, "m4"],
        [5, "m5"],
      ],
      complete: true,
    };
    const sequencer = new KeptSequencer(
      async (_group, since) => {
        reads.push(since);
        await gate.promise;
        return slice;
      },
      (k) => emitted.push(k.offset),
    );
    sequencer.accept(kept(1));
    sequencer.accept(kept(2));
    sequencer.accept(kept(2));
    sequencer.accept(kept(6)); // 3..5 missing
    sequencer.accept(kept(7));
    expect(emitted).toEqual([1, 2]);
    gate.resolve();
    await waitFor(() => emitted.length >= 7, { what: "the gap filled from the history" });
    expect(reads).toEqual([2]);
    expect(emitted).toEqual([1, 2, 3, 4, 5, 6, 7]);
    sequencer.accept(kept(1, "e2")); // a new epoch starts over
    expect(emitted.at(-1)).toBe(1);
  });

  test("what the history no longer has is skipped, not waited for", async () => {
    const emitted: number[] = [];
    const sequencer = new KeptSequencer(
      async () => null,
      (k) => emitted.push(k.offset),
    );
    sequencer.accept(kept(1));
    sequencer.accept(kept(5));
    await waitFor(() => emitted.length >= 2, { what: "offset 5 emitted past the gap" });
    expect(emitted).toEqual([1, 5]);
  });
});

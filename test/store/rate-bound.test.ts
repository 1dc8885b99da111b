// The shared bound on what strangers can make us record: per kind, in all, with fixed memory, and summaries of the rest.
import { describe, expect, test } from "bun:test";
import { EventGate } from "../../src/master/event-gate.ts";
import type { EventListener, SupervisorEvent } from "../../src/master/events.ts";
import { moreLikeThis, RateBound, type Suppressed } from "../../src/store/rate-bound.ts";

const OPTIONS = { windowMs: 60_000, perKind: 5, total: 50, maxKinds: 100, maxSummaries: 3 };

function bound() {
  const summaries: Suppressed<number>[] = [];
  return { summaries, bound: new RateBound<number>(OPTIONS, (s) => summaries.push(s)) };
}

describe("RateBound", () => {
  test("keeps perKind of one kind per window, counts every one, and summarizes the rest with its first item", () => {
    const { bound: b, summaries } = bound();
    const kept = Array.from({ length: 20_000 }, (_, i) => b.admit("login-refused", "127.0.0.1", i)).filter(Boolean).length;
    expect(kept).toBe(5);
    expect(b.counts().get("login-refused")).toEqual({ seen: 20_000, suppressed: 19_995 });
    b.flush();
    expect(summaries).toEqual([{ family: "login-refused", key: "127.0.0.1", count: 19_995, kinds: 1, sample: 0, windowMs: 60_000 }]);
    // A fresh window, a fresh budget; a quiet window says nothing.
    expect(b.admit("login-refused", "127.0.0.1", 1)).toBe(true);
    b.flush();
    expect(summaries.length).toBe(1);
  });

  test("many kinds cannot add up past the total, and kinds past maxKinds cost no memory but are still counted", () => {
    const { bound: b, summaries } = bound();
    let kept = 0;
    for (let i = 0; i < 10_000; i++) if (b.admit("login-refused", `127.0.${i >> 8}.${i & 255}`, i)) kept++;
    expect(kept).toBe(50);
    expect(b.counts().get("login-refused")!.seen).toBe(10_000);
    b.flush();
    // Kinds 1-50 kept their one item; 51-100 lost theirs: three of those by name, then one summary for the rest and the untracked.
    expect(summaries.length).toBe(4);
    expect(summaries[3]).toMatchObject({ key: "*", sample: undefined });
    expect(summaries.reduce((n, s) => n + s.count, 0)).toBe(10_000 - 50);
  });

  test("the summary sentence", () => {
    expect(moreLikeThis(19_995, 60_000)).toBe("19,995 more like this in the last minute");
    expect(moreLikeThis(1, 10_000)).toBe("1 more like this in the last 10 s");
  });
});

describe("EventGate", () => {
  test("a handler that throws on every request reaches consumers perKind times, then as one summary at stop; lifecycle events always pass", () => {
    const listeners = new Set<EventListener>();
    const gate = new EventGate({ on: (l) => (listeners.add(l), () => listeners.delete(l)) }, OPTIONS);
    const seen: SupervisorEvent[] = [];
    gate.on((e) => seen.push(e));
    const emit = (e: SupervisorEvent) => listeners.forEach((l) => l(e));
    for (let i = 0; i < 1000; i++) emit({ type: "handler-error", pid: 1, group: "web", callback: "fetch", message: "Invalid URL", stack: "x" });
    emit({ type: "handler-error", pid: 1, group: "web", callback: "fetch", message: "another bug" });
    for (let i = 0; i < 20; i++) emit({ type: "process-started", pid: i, group: "web", index: 0, generation: 1 });
    expect(seen.filter((e) => e.type === "handler-error").length).toBe(6);
    expect(seen.filter((e) => e.type === "process-started").length).toBe(20);
    gate.stop();
    const summary = seen.at(-1)!;
    expect(summary).toMatchObject({ type: "events-suppressed", event: "handler-error", group: "web", like: "fetch threw: Invalid URL", count: 995 });
    expect(gate.counts().get("handler-error")).toEqual({ seen: 1001, suppressed: 995 });
    expect(listeners.size).toBe(0);
  });
});

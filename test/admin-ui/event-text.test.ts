// One readable line per event, the same for a live event and a stored one.
import { describe, expect, test } from "bun:test";
import { EVENT_TYPES, isEventType, liveRow, storedRow } from "../../admin-ui/event-text.ts";
import type { EventType, LiveEvent } from "../../src/admin/contract.ts";

describe("admin-ui event text", () => {
  test("a crash says how the process ended and when it restarts, drawn as bad, with its stderr", () => {
    const event = {
      type: "process-exited",
      at: 5,
      pid: 42,
      group: "web",
      index: 1,
      generation: 3,
      code: 1,
      signal: null,
      expected: false,
      restartInMs: 200,
      stderrTail: ["boom"],
    } as unknown as LiveEvent;
    const row = liveRow(event, 7);
    expect(row).toMatchObject({ key: "live-7", where: "web#1 pid 42", bad: true, stderr: ["boom"] });
    expect(row.text).toBe("exited with code 1: crash, restarting in 200 ms");
  });

  test("a handler that failed to load is called that, not a crash, with its reason", () => {
    const reason = { kind: "load-error", text: 'web.ts:3:7 Expected ")" but found "}"' };
    const event = { type: "process-exited", at: 5, pid: 42, group: "web", index: 0, generation: 2, code: 1, signal: null, expected: false, reason };
    expect(liveRow(event as unknown as LiveEvent, 8).text).toBe(`exited with code 1: failed to load (${reason.text})`);
  });

  test("an expected exit by signal is not bad", () => {
    const event = {
      type: "process-exited",
      at: 5,
      pid: 42,
      group: "web",
      index: 0,
      generation: 1,
      code: null,
      signal: "SIGTERM",
      expected: true,
      stderrTail: [],
    } as unknown as LiveEvent;
    expect(liveRow(event, 1)).toMatchObject({ text: "killed by SIGTERM", bad: false });
  });

  test("a stored event reads like the live one", () => {
    const row = storedRow({ id: 9, at: 1, type: "handler-error", pid: 3, group: "chat", data: { callback: "onMessage", message: "nope" } });
    expect(row).toMatchObject({ key: "log-9", where: "chat pid 3", text: "onMessage threw: nope", bad: true });
  });

  test("an admin action that did not end ok is bad; an unknown type shows its fields", () => {
    const action = storedRow({
      id: 1,
      at: 1,
      type: "admin-action",
      pid: null,
      group: null,
      data: { action: "reload", target: "web", result: "refused", source: "127.0.0.1" },
    });
    expect(action).toMatchObject({ where: "", bad: true });
    expect(action.text).toBe("reload web: refused (from 127.0.0.1)");
    expect(storedRow({ id: 2, at: 1, type: "something-new", pid: null, group: null, data: { a: 1 } }).text).toBe('{"a":1}');
  });

  test("every event type of the contract has its own sentence; a name from outside it falls back to JSON", () => {
    expect(EVENT_TYPES).toHaveLength(new Set(EVENT_TYPES).size);
    const some: EventType[] = ["process-started", "process-exited", "reload-failed", "events-suppressed", "admin-action", "master-stopped"];
    for (const type of some) expect(EVENT_TYPES).toContain(type);
    for (const type of EVENT_TYPES) {
      expect(storedRow({ id: 1, at: 1, type, pid: null, group: null, data: {} }).text).not.toStartWith("{");
    }
    expect([isEventType("stats"), isEventType("toString"), isEventType("reload-begun")]).toEqual([false, false, true]);
  });
});

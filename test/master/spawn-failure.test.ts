// A spawn the OS refuses (EMFILE, E2BIG) ends what asked for it with the reason, and a restarting slot keeps trying.
import { describe, expect, test } from "bun:test";
import { StartFailure } from "../../src/master/failure-reason.ts";
import { settle, spawnError } from "./fakes.ts";
import { WEB, configOf, supervisorOf, startedSupervisor } from "./supervisor-fixture.ts";

const EMFILE = () => spawnError("EMFILE", "too many open files");
const E2BIG = () => spawnError("E2BIG", "argument list too long");

const started = (config = configOf([WEB()])) => startedSupervisor(config);

describe("a spawn that throws", () => {
  test("a crashed slot whose restart cannot spawn keeps its retry timer (next backoff step) and comes back once the cause is gone", async () => {
    const { clock, spawned, events, rows, failWith } = await started(configOf([WEB(1)]));
    spawned[0]!.exit(1);
    await settle();
    failWith(EMFILE());
    await clock.advance(100);
    const failed = events.filter((e) => e.type === "spawn-failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ group: "web", index: 0, retryInMs: 200, reason: { kind: "spawn", errno: "EMFILE" } });
    expect(failed[0]!.type === "spawn-failed" && failed[0]!.message).toContain("raise its limit (ulimit -n");
    expect(rows()).toMatchObject([{ pid: null, state: "backoff", nextRetryAt: clock.now() + 200, lastExit: { reason: { kind: "spawn", errno: "EMFILE" } } }]);
    await clock.advance(200);
    expect(events.filter((e) => e.type === "spawn-failed")).toHaveLength(2);
    failWith(null);
    await clock.advance(400);
    expect(spawned.length).toBe(2);
    spawned[1]!.becomeReady();
    await settle();
    expect(rows()).toMatchObject([{ pid: spawned[1]!.pid, state: "ready" }]);
  });

  test("retry with the cause still there keeps a timer instead of throwing", async () => {
    const { supervisor, clock, spawned, failWith } = await started(configOf([WEB(1)]));
    spawned[0]!.exit(1);
    await settle();
    failWith(EMFILE());
    expect(supervisor.retry("web")).toBe(1);
    expect(supervisor.slots[0]!.nextRetryAt).toBeDefined();
    failWith(null);
    await clock.advance(10_000);
    expect(spawned.length).toBe(2);
  });

  test("a reload whose new generation cannot spawn ends rolled-back with the reason; the old generation keeps serving", async () => {
    const { supervisor, clock, spawned, failWith, events } = await started();
    failWith(E2BIG());
    const { done } = supervisor.reload();
    const record = await Promise.race([done, clock.advance(30_000).then(() => null)]);
    expect(record?.state).toBe("rolled-back");
    expect(record!.finishedAt).toBeDefined();
    expect(record!.groups[0]).toMatchObject({ phase: "rolled-back", reason: { kind: "spawn", errno: "E2BIG" } });
    expect(record!.groups[0]!.reason!.text).toContain("shrink the group's env");
    expect(supervisor.slots.map((s) => s.current?.pid)).toEqual(spawned.map((p) => p.pid));
    expect(events.some((e) => e.type === "reload-finished" && e.state === "rolled-back")).toBe(true);
    // A later reload of the group is not refused as "under way".
    failWith(null);
    expect(() => supervisor.reload()).not.toThrow();
  });

  test("a reload that spawned some processes before the OS refused one stops those and rolls back", async () => {
    const { supervisor, clock, spawned, failWith, of } = await started(configOf([WEB(3)]));
    failWith(EMFILE(), 1);
    const { done } = supervisor.reload();
    await clock.advance(1);
    const record = await done;
    expect(record.state).toBe("rolled-back");
    expect(of("web", 2).map((p) => p.state)).toEqual(["exited"]);
    expect(spawned.length).toBe(4);
    failWith(null);
  });

  test("the first start fails with a clear error naming the group and the errno", async () => {
    const s = supervisorOf(configOf([WEB(2)]));
    s.failWith(EMFILE());
    const err = await s.supervisor.start().catch((e) => e);
    expect(err).toBeInstanceOf(StartFailure);
    expect(String(err)).toContain('group "web" cannot start: could not start a process: EMFILE');
  });

  test("restart of one process whose successor cannot spawn leaves the process serving and the slot free to restart again", async () => {
    const { supervisor, spawned, failWith, events } = await started(configOf([WEB(1)]));
    failWith(EMFILE());
    expect(supervisor.restartProcess(spawned[0]!.pid)).toBe(true);
    await settle();
    expect(events.some((e) => e.type === "spawn-failed")).toBe(true);
    expect(supervisor.slots[0]!.current).toBe(spawned[0]!);
    expect(supervisor.slots[0]!.replacing).toBe(false);
    failWith(null);
    expect(supervisor.restartProcess(spawned[0]!.pid)).toBe(true);
  });
});

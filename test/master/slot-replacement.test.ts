// How a restart of one process ends, as its caller hears it (the admin API's wait): replaced once the old one has exited, or refused with why.
import { describe, expect, test } from "bun:test";
import type { ReplacementOutcome } from "../../src/master/supervisor-interface.ts";
import { settle, spawnError } from "./fakes.ts";
import { WEB, configOf, startedSupervisor } from "./supervisor-fixture.ts";

const oneProcess = () => startedSupervisor(configOf([WEB(1)], { reload: { healthySeconds: 0, probationSeconds: 0 } }));

/** restartProcess with a listener; the outcome, once told. */
function restartHeard(supervisor: { restartProcess: (pid: number, done?: (o: ReplacementOutcome) => void) => boolean }, pid: number) {
  const heard = Promise.withResolvers<ReplacementOutcome>();
  expect(supervisor.restartProcess(pid, heard.resolve)).toBe(true);
  return heard.promise;
}

describe("restartProcess(pid, done)", () => {
  test("replaced: the successor serves the slot, and `drained` resolves only after the old process has exited and left the table", async () => {
    const { supervisor, spawned, clock } = await oneProcess();
    const old = spawned[0]!;
    old.hungAt = clock.now();
    const heard = restartHeard(supervisor, old.pid);
    await settle();
    const next = spawned[1]!;
    next.becomeReady();
    await clock.advance(10);
    const outcome = await heard;
    expect(outcome).toMatchObject({ replaced: true, pid: next.pid, generation: next.generation, oldPid: old.pid });
    expect(supervisor.slots[0]!.current).toBe(next);
    let drained = false;
    if (outcome.replaced) void outcome.drained.then(() => (drained = true));
    await settle();
    // The old process drains (hung here until its deadline): not drained while it is still in the table.
    expect(drained).toBe(false);
    expect(supervisor.processes.has(old)).toBe(true);
    old.exit(0);
    await settle();
    expect(drained).toBe(true);
    expect(supervisor.processes.has(old)).toBe(false);
  });

  test("a successor that fails its health check: refused with the gate's reason, the old process still serves", async () => {
    const { supervisor, spawned, clock, events } = await oneProcess();
    const old = spawned[0]!;
    const heard = restartHeard(supervisor, old.pid);
    await settle();
    const next = spawned[1]!;
    next.health = { ok: false, error: "database down" };
    next.becomeReady();
    await clock.advance(10);
    const outcome = await heard;
    expect(outcome).toMatchObject({ replaced: false, why: "gate", reason: { kind: "health-check" } });
    expect(!outcome.replaced && outcome.message).toContain(`pid ${next.pid}`);
    expect(!outcome.replaced && outcome.message).toContain("database down");
    expect(supervisor.slots[0]!.current).toBe(old);
    expect(old.stoppedWith).toBeUndefined();
    expect(events.filter((e) => e.type === "reload-failed")).toMatchObject([{ pid: next.pid, reason: { kind: "health-check" } }]);
  });

  test("a successor that exits before it is ready: refused with its exit, and the event log says the restart failed, as for the other gate failures", async () => {
    const { supervisor, spawned, events } = await oneProcess();
    const heard = restartHeard(supervisor, spawned[0]!.pid);
    await settle();
    spawned[1]!.exit(3);
    const outcome = await heard;
    expect(outcome).toMatchObject({ replaced: false, why: "gate", reason: { kind: "exit", code: 3 } });
    expect(supervisor.slots[0]!.current).toBe(spawned[0]!);
    expect(events.filter((e) => e.type === "reload-failed")).toMatchObject([
      { pid: spawned[1]!.pid, group: "web", index: 0, reason: { kind: "exit", code: 3 } },
    ]);
  });

  test("a successor the OS refuses: refused as a spawn failure", async () => {
    const { supervisor, spawned, failWith } = await oneProcess();
    failWith(spawnError("EMFILE", "too many open files"));
    const outcome = await restartHeard(supervisor, spawned[0]!.pid);
    expect(outcome).toMatchObject({ replaced: false, why: "spawn" });
    expect(!outcome.replaced && outcome.message).toContain("too many open files");
    expect(supervisor.slots[0]!.current).toBe(spawned[0]!);
  });

  test("a reload that takes the slot while the successor is gated: refused as superseded", async () => {
    const { supervisor, spawned, clock } = await oneProcess();
    const heard = restartHeard(supervisor, spawned[0]!.pid);
    await settle();
    const { done } = supervisor.reload();
    await settle();
    for (const p of spawned.slice(2)) p.becomeReady();
    await clock.advance(100);
    expect((await done).state).toBe("done");
    expect(await heard).toMatchObject({ replaced: false, why: "superseded" });
  });
});

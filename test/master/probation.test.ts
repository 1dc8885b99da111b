// Probation after a reload, decided without processes: the old generation parks, then stops, or takes the group back.
import { describe, expect, test } from "bun:test";
import { planReload } from "../../src/master/config-reload.ts";
import { buildStatus } from "../../src/master/status.ts";
import { type FakeProcess, settle } from "./fakes.ts";
import { API, WEB, configOf, supervisorOf, startedSupervisor } from "./supervisor-fixture.ts";

const started = (config = configOf([WEB()])) => startedSupervisor(config);

/** Reloads and lets every new process pass the 2 s settle window; `fresh`: those of `group`. */
async function reloaded(s: Awaited<ReturnType<typeof started>>, group = "web", options = {}) {
  const handle = s.supervisor.reload(options);
  await settle();
  s.spawned.filter((p) => p.generation === handle.record.generation).forEach((p) => p.becomeReady());
  const fresh = s.spawned.filter((p) => p.group === group && p.generation === handle.record.generation);
  await s.clock.advance(2000);
  await handle.done;
  return { ...handle, fresh };
}

const sentTypes = (p: FakeProcess) => p.sent.map((m) => m.type);

describe("probation", () => {
  test("after the gate the old processes park (not stopped, not serving); after probationSeconds they stop", async () => {
    const s = await started();
    const old = s.of("web", 1);
    const { record, fresh } = await reloaded(s);
    expect(record.state).toBe("done");
    expect(record.groups[0]).toMatchObject({ phase: "probation", replaced: 2, probation: { until: s.clock.now() + 30_000, parked: 2, lost: 0 } });
    expect(old.map(sentTypes)).toEqual([["park"], ["park"]]);
    expect(old.every((p) => p.stoppedWith === undefined && p.state === "parked")).toBe(true);
    expect(s.supervisor.slots.map((slot) => slot.current!.pid)).toEqual(fresh.map((p) => p.pid));
    const rows = buildStatus(s.supervisor.config, s.supervisor, 0, null).processes;
    expect(rows.filter((r) => r.generation === 1).map((r) => r.state)).toEqual(["parked", "parked"]);
    expect(s.events.find((e) => e.type === "reload-probation")).toMatchObject({ group: "web", parked: 2 });
    await s.clock.advance(29_999);
    expect(old.every((p) => p.stoppedWith === undefined)).toBe(true);
    await s.clock.advance(1);
    expect(old.every((p) => p.stoppedWith !== undefined && p.state === "exited")).toBe(true);
    expect(record.groups[0]).toMatchObject({ phase: "replaced", probation: { outcome: "passed", endedAt: s.clock.now() } });
    expect(s.events.find((e) => e.type === "reload-probation-ended")).toMatchObject({ group: "web", outcome: "passed" });
    expect(s.supervisor.processes.size).toBe(2);
  });

  test("a new process that exits unasked during probation rolls the group back to the parked processes", async () => {
    const s = await started();
    const old = s.of("web", 1);
    const { record, fresh } = await reloaded(s);
    await s.clock.advance(2000);
    fresh[1]!.exit(5);
    await settle();
    expect(record.state).toBe("rolled-back");
    const group = record.groups[0]!;
    expect(group).toMatchObject({ phase: "rolled-back", replaced: 0, probation: { outcome: "rolled-back" } });
    expect(group.reason).toMatchObject({ kind: "exit", code: 5, index: 1 });
    expect(group.reason!.text).toBe("exited with code 5 4.0 s after it was ready, during probation");
    expect(old.map(sentTypes)).toEqual([
      ["park", "unpark"],
      ["park", "unpark"],
    ]);
    expect(s.supervisor.slots.map((slot) => `${slot.current!.pid} ${slot.current!.state}`)).toEqual(old.map((p) => `${p.pid} ready`));
    expect(fresh[0]!.stoppedWith).toBeDefined();
    // The crashed slot of the new generation is not restarted: its slot is gone.
    await s.clock.advance(60_000);
    expect(s.spawned.length).toBe(4);
    expect(s.events.find((e) => e.type === "reload-probation-ended")).toMatchObject({ outcome: "rolled-back", reason: { code: 5 } });
    const exited = s.events.find((e) => e.type === "process-exited" && e.pid === fresh[1]!.pid);
    expect(exited).toMatchObject({ expected: false, restartInMs: undefined });
  });

  test("a rolled-back config change brings back the previous settings and count", async () => {
    const s = await started();
    const next = configOf([WEB(3, { env: { RELEASE: "2" } })], {}, s.supervisor.config.baseDir);
    const { fresh } = await reloaded(s, "web", { plans: planReload(s.supervisor.config, next).plans, config: next });
    expect(s.supervisor.config.workers[0]!.count).toBe(3);
    fresh[2]!.exit(1);
    await settle();
    expect(s.supervisor.config.workers[0]!.count).toBe(2);
    expect(s.supervisor.slots.map((slot) => `${slot.index}:${slot.current!.generation}`)).toEqual(["0:1", "1:1"]);
    expect(fresh.slice(0, 2).every((p) => p.stoppedWith !== undefined)).toBe(true);
  });

  test("a parked process that crashes is dropped (counted as lost); a rollback restarts its slot through backoff", async () => {
    const s = await started();
    const old = s.of("web", 1);
    const { record, fresh } = await reloaded(s);
    old[0]!.exit(1);
    await settle();
    expect(record.groups[0]!.probation).toMatchObject({ lost: 1, parked: 2 });
    expect(record.groups[0]!.phase).toBe("probation");
    fresh[0]!.exit(3);
    await settle();
    expect(record.state).toBe("rolled-back");
    const [lostSlot, keptSlot] = s.supervisor.slots;
    expect(lostSlot!.current).toBeNull();
    expect(lostSlot!.nextRetryAt).toBeGreaterThan(s.clock.now());
    expect(keptSlot!.current!.pid).toBe(old[1]!.pid);
    await s.clock.advance(lostSlot!.nextRetryAt! - s.clock.now());
    expect(lostSlot!.current).not.toBeNull();
  });

  test("a second reload during probation ends it first: the parked generation stops before the next one starts", async () => {
    const s = await started();
    const old = s.of("web", 1);
    const first = await reloaded(s);
    const second = s.supervisor.reload();
    expect(first.record.groups[0]).toMatchObject({ phase: "replaced", probation: { outcome: "ended", endedBy: "reload to generation 3" } });
    expect(old.every((p) => p.stoppedWith !== undefined)).toBe(true);
    await settle();
    const third = s.of("web", 3);
    third.forEach((p) => p.becomeReady());
    await s.clock.advance(2000);
    expect((await second.done).groups[0]!.phase).toBe("probation");
    // Generation 2 is now the parked one: a crash of generation 3 rolls back to it, never to generation 1.
    third[0]!.exit(1);
    await settle();
    expect(s.supervisor.slots.map((slot) => slot.current!.generation)).toEqual([2, 2]);
  });

  test("stop during probation stops the parked processes too", async () => {
    const s = await started();
    const { record } = await reloaded(s);
    await s.supervisor.stop(false);
    expect(s.supervisor.processes.size).toBe(0);
    expect(s.spawned.every((p) => p.state === "exited")).toBe(true);
    expect(record.groups[0]!.probation).toMatchObject({ outcome: "ended", endedBy: "the master stopping" });
  });

  test("a group's probationSeconds overrides reload.probationSeconds; a group whose listen changed has none", async () => {
    const s = await started(configOf([WEB(1, { probationSeconds: 5 }), API(1)], { reload: { probationSeconds: 0 } }));
    const handle = s.supervisor.reload();
    await settle();
    s.spawned.filter((p) => p.generation === 2).forEach((p) => p.becomeReady());
    await s.clock.advance(2000);
    const record = await handle.done;
    expect(record.groups.map((g) => `${g.name} ${g.phase} ${g.probation?.until ?? "-"}`)).toEqual([`web probation ${s.clock.now() + 5000}`, "api replaced -"]);

    const moved = configOf([WEB(1, { listen: "http://127.0.0.1:8009" }), API(1)], {}, s.supervisor.config.baseDir);
    const again = await reloaded(s, "web", { plans: planReload(s.supervisor.config, moved).plans, config: moved });
    expect(again.record.groups.find((g) => g.name === "web")).toMatchObject({ phase: "replaced" });
    expect(again.record.groups.find((g) => g.name === "web")!.probation).toBeUndefined();
  });
});

test("when every parked process has exited, probation ends: a later crash of a new process is an ordinary restart", async () => {
  const s = await started();
  const old = s.of("web", 1);
  const { record, fresh } = await reloaded(s);
  old.forEach((p) => p.exit(1));
  await settle();
  expect(record.groups[0]).toMatchObject({ phase: "replaced", probation: { outcome: "ended", endedBy: "every parked process exited", lost: 2 } });
  fresh[0]!.exit(1);
  await settle();
  expect(record.state).toBe("done");
  expect(s.supervisor.slots[0]!.nextRetryAt).toBeGreaterThan(s.clock.now());
  expect(s.supervisor.slots[1]!.current!.pid).toBe(fresh[1]!.pid);
});

test("a rollback while the reload's other groups still gate leaves the record running; its finish says rolled-back", async () => {
  const s = await started(configOf([WEB(1), { ...API(1), healthySeconds: 10 }]));
  const handle = s.supervisor.reload();
  await settle();
  s.spawned.filter((p) => p.generation === 2).forEach((p) => p.becomeReady());
  await s.clock.advance(2000);
  expect(handle.record.groups.map((g) => g.phase)).toEqual(["probation", "settling"]);
  s.of("web", 2)[0]!.exit(5);
  await settle();
  expect(handle.record.state).toBe("running");
  expect(handle.record.groups[0]!.phase).toBe("rolled-back");
  await s.clock.advance(8000);
  expect((await handle.done).state).toBe("rolled-back");
  expect(handle.record.groups.map((g) => g.phase)).toEqual(["rolled-back", "probation"]);
});

test("a rollback stops a replacement being gated for a slot of the rolled-back generation (simulation seed 5267)", async () => {
  const s = await started();
  const old = s.of("web", 1);
  const { fresh } = await reloaded(s);
  expect(s.supervisor.restartProcess(fresh[0]!.pid)).toBe(true);
  await settle();
  const replacement = s.spawned.at(-1)!;
  expect(s.supervisor.table.entryOf(replacement)).toMatchObject({ state: "gating", gate: "replacement" });
  fresh[1]!.exit(5);
  await settle();
  // Stopped with the slot it was gated for, not left listening until its own gate ends.
  expect(replacement.stoppedWith).toMatchObject({ reason: "stop" });
  expect(replacement.state).toBe("exited");
  expect(s.supervisor.slots.map((slot) => slot.current!.pid)).toEqual(old.map((p) => p.pid));
  replacement.becomeReady();
  await s.clock.advance(5000);
  expect(s.supervisor.slots.map((slot) => slot.current!.pid)).toEqual(old.map((p) => p.pid));
  expect([...s.supervisor.processes].map((p) => p.pid).sort()).toEqual(old.map((p) => p.pid).sort());
});

test("a replacement stopped when a reload took its slot does not take the slot a rollback gives back (simulation seed 9838)", async () => {
  const s = await started();
  const old = s.of("web", 1);
  expect(s.supervisor.restartProcess(old[1]!.pid)).toBe(true);
  await settle();
  const replacement = s.spawned.at(-1)!;
  replacement.hang(); // a stop keeps it alive until its deadline, so its gate can still pass
  const { fresh } = await reloaded(s);
  expect(replacement.stoppedWith).toMatchObject({ reason: "stop" });
  fresh[0]!.exit(5);
  await settle();
  replacement.becomeReady();
  await s.clock.advance(2000);
  expect(s.supervisor.slots.map((slot) => slot.current!.pid)).toEqual(old.map((p) => p.pid));
  expect(s.supervisor.table.entryOf(replacement)).toMatchObject({ state: "stopping" });
});

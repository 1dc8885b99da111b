// The process table on its own: one state per process from spawn to exit, slots as its view, and the invariants it reports when a caller breaks them.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ProcessTable } from "../../src/master/process-table.ts";
import { newSlot } from "../../src/master/slot.ts";
import { Supervisor } from "../../src/master/supervisor.ts";
import { FakeClock, type FakeProcess, fakeSpawner } from "./fakes.ts";
import { WEB, configOf } from "./supervisor-fixture.ts";

function tableOf(count = 2) {
  const config = configOf([WEB(count)]);
  const group = config.workers[0]!;
  const clock = new FakeClock();
  const broken: string[] = [];
  const table = new ProcessTable({ clock, workers: () => config.workers, stopDeadlineMs: () => 5000, violated: (text) => void broken.push(text) });
  const slots = Array.from({ length: count }, (_, i) => newSlot(group, i, 1));
  table.setGroupSlots("web", slots);
  const fakes = fakeSpawner(clock);
  const spawn = (index: number, generation = 1) =>
    fakes.spawner({
      launch: { appName: "t", group, index, generation, stopTimeoutMs: 1000, drainWindowMs: 0 },
      output: () => {},
      onMessage: () => {},
    }) as FakeProcess;
  return { table, slots, group, clock, broken, spawn };
}

describe("process table", () => {
  test("a process goes starting -> serving in its slot, and its exit empties the slot and leaves the table", () => {
    const { table, slots, broken, spawn } = tableOf(1);
    const proc = spawn(0);
    table.spawned(proc, { slot: slots[0]! });
    expect(table.entryOf(proc)).toMatchObject({ state: "starting", slot: slots[0] });
    expect(slots[0]!.current).toBe(proc);
    table.ready(proc, 5);
    expect(table.entryOf(proc)).toMatchObject({ state: "serving", readyAt: 5 });
    expect(slots[0]!.everReady).toBe(true);
    expect(table.exited(proc)).toMatchObject({ state: "serving", slot: slots[0] });
    expect(slots[0]!.current).toBeNull();
    expect(table.processes.size).toBe(0);
    expect(broken).toEqual([]);
  });

  test("a gated process takes a slot; the one it replaces drains, then stops as asked", () => {
    const { table, slots, broken, spawn } = tableOf(1);
    const old = spawn(0);
    table.spawned(old, { slot: slots[0]! });
    const next = spawn(0, 2);
    table.spawned(next, { gate: "replacement", slot: slots[0]! });
    expect(table.replacementOf(slots[0]!)).toBe(next);
    table.ready(next, 1);
    expect(table.serve(slots[0]!, next)).toBe(old);
    expect(table.entryOf(old)).toMatchObject({ state: "draining", stopAsked: false });
    expect(table.entryOf(next)).toMatchObject({ state: "serving", slot: slots[0] });
    expect(table.replacementOf(slots[0]!)).toBeUndefined();
    void table.stop(old, true, "reload");
    expect(table.entryOf(old)).toMatchObject({ state: "draining", stopAsked: true });
    expect(old.stoppedWith).toEqual({ graceful: true, reason: "reload", deadlineMs: 5000 });
    expect(broken).toEqual([]);
  });

  test("slots that leave drop their restart timer, stop their gated replacement and hand back their process", async () => {
    const { table, slots, group, clock, broken, spawn } = tableOf(2);
    const serving = spawn(0);
    table.spawned(serving, { slot: slots[0]! });
    const replacement = spawn(0, 2);
    table.spawned(replacement, { gate: "replacement", slot: slots[0]! });
    let fired = false;
    slots[1]!.restartTimer = clock.setTimeout(() => (fired = true), 100);
    const fresh = [newSlot(group, 0, 3)];
    expect(table.setGroupSlots("web", fresh)).toEqual([serving]);
    expect(table.entryOf(serving)).toMatchObject({ state: "draining", stopAsked: false });
    expect(table.entryOf(replacement)).toMatchObject({ state: "stopping", stopAsked: true });
    expect(replacement.stoppedWith).toMatchObject({ reason: "stop" });
    expect(table.slots).toEqual(fresh);
    await clock.advance(200);
    expect(fired).toBe(false);
    expect(broken).toEqual([]);
  });

  test("a parked process goes back to a slot when its probation rolls back", () => {
    const { table, slots, group, broken, spawn } = tableOf(1);
    const old = spawn(0);
    table.spawned(old, { slot: slots[0]! });
    table.ready(old, 1);
    const fresh = [newSlot(group, 0, 2)];
    const [left] = table.setGroupSlots("web", fresh);
    table.park(left!);
    expect(table.entryOf(old)).toMatchObject({ state: "parked" });
    table.setGroupSlots("web", slots);
    table.serve(slots[0]!, old);
    expect(table.entryOf(old)).toMatchObject({ state: "serving", slot: slots[0] });
    expect(broken).toEqual([]);
  });

  test("what breaks the invariants is reported: a stop of a slot's process, a filled slot spawned into, an exited process serving, a replacement whose slot left behind the table's back", () => {
    const { table, slots, broken, spawn } = tableOf(2);
    const a = spawn(0);
    table.spawned(a, { slot: slots[0]! });
    void table.stop(a, false);
    expect(broken.splice(0)).toEqual([`pid ${a.pid} web#0 gen 1 was asked to stop while it fills slot web#0`]);
    expect(slots[0]!.current).toBeNull();
    const b = spawn(1);
    table.spawned(b, { slot: slots[1]! });
    table.spawned(spawn(1), { slot: slots[1]! });
    expect(broken.splice(0)).toEqual([expect.stringContaining("spawned for a slot that is taken or gone")]);
    const gone = spawn(0, 2);
    table.spawned(gone, { gate: "reload" });
    table.exited(gone);
    expect(table.serve(slots[0]!, gone)).toBeNull();
    expect(broken.splice(0)).toEqual([`pid ${gone.pid} web#0 gen 2 (exited) cannot fill slot web#0`]);
    const replacement = spawn(1, 3);
    table.spawned(replacement, { gate: "replacement", slot: slots[1]! });
    (table.slots as unknown[]).length = 0; // a slot list changed without the table: what setGroupSlots prevents
    table.verify();
    expect(broken).toContain(`pid ${replacement.pid} web#1 gen 3 is gating for slot web#1, which left the table`);
  });
});

test("only the process table fills or empties a slot", () => {
  const dir = join(import.meta.dir, "../../src/master");
  const writers = readdirSync(dir).filter((file) => file.endsWith(".ts") && /\.current\s*=[^=]/.test(readFileSync(join(dir, file), "utf8")));
  expect(writers).toEqual(["process-table.ts"]);
});

test("in production a broken invariant is a line on the master's log, not a throw that would take every worker down", () => {
  const config = configOf([WEB(1)]);
  const lines: string[] = [];
  const clock = new FakeClock();
  const log = (line: string, stream: string) => void lines.push(`${stream} ${line}`);
  const supervisor = new Supervisor({ config, listenFds: new Map(), log, clock, spawner: fakeSpawner(clock).spawner });
  const proc = tableOf(1).spawn(0);
  const table = supervisor.table as ProcessTable; // the view hides transitions; this test breaks one on purpose
  table.spawned(proc, { gate: "reload" });
  expect(() => table.spawned(proc, { gate: "reload" })).not.toThrow();
  expect(lines).toEqual([`stderr [master] a supervisor invariant broke (please report it): pid ${proc.pid} web#0 gen 1 was spawned twice`]);
});

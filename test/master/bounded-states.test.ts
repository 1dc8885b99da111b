// No process keeps a place it does not fill: a respawn that never gets ready, a gated process that dies, a replacement whose slot a reload took.
import { describe, expect, test } from "bun:test";
import { settle } from "./fakes.ts";
import { WEB, configOf, supervisorOf, startedSupervisor } from "./supervisor-fixture.ts";

const started = (config = configOf([WEB()], { reload: { probationSeconds: 0 } })) => startedSupervisor(config);

describe("bounded states", () => {
  test("a backoff respawn that never gets ready is killed after startTimeout and retried, its reason kept", async () => {
    const { supervisor, clock, spawned, events } = await started(configOf([WEB(1)], { reload: { startTimeout: 3, probationSeconds: 0 } }));
    spawned[0]!.exit(1);
    await clock.advance(100);
    const stuck = spawned[1]!;
    stuck.hang();
    await clock.advance(2999);
    expect(stuck.state).toBe("starting");
    await clock.advance(1);
    expect(stuck.state).toBe("exited");
    expect(supervisor.slots[0]!.lastExit!.reason).toMatchObject({ kind: "start-timeout" });
    expect(events.filter((e) => e.type === "process-exited" && e.pid === stuck.pid)).toMatchObject([{ expected: false, restartInMs: 200 }]);
    await clock.advance(200);
    expect(spawned.length).toBe(3);
  });

  test("a new process that exits after its own settle window, while another still settles, rolls the group back", async () => {
    const { supervisor, clock, of } = await started();
    const old = of("web", 1);
    const { done } = supervisor.reload();
    await settle();
    const [first, second] = of("web", 2);
    first!.becomeReady();
    await clock.advance(1000);
    second!.becomeReady();
    await clock.advance(1500);
    // first's window ended at 2 s: it passed; second's ends at 3 s.
    first!.exit(1);
    await clock.advance(1000);
    const record = await done;
    expect(record.state).toBe("rolled-back");
    expect(record.groups[0]!.reason).toMatchObject({ kind: "exit", code: 1, pid: first!.pid });
    expect(supervisor.slots.map((s) => s.current?.pid)).toEqual(old.map((p) => p.pid));
  });

  test("a reload that takes a slot stops the replacement being gated for it", async () => {
    const { supervisor, clock, spawned, of } = await started(configOf([WEB(1)], { reload: { probationSeconds: 0 } }));
    expect(supervisor.restartProcess(spawned[0]!.pid)).toBe(true);
    await settle();
    const replacement = spawned[1]!;
    const { done } = supervisor.reload();
    await settle();
    for (const p of of("web", supervisor.generation)) p.becomeReady();
    await clock.advance(2000);
    expect((await done).state).toBe("done");
    expect(replacement.state).toBe("exited");
    expect(supervisor.processes.has(replacement)).toBe(false);
  });

  test("restart of one process during a stop spawns nothing", async () => {
    const { supervisor, spawned } = await started(configOf([WEB(1)]));
    const stop = supervisor.stop(false);
    expect(supervisor.restartProcess(spawned[0]!.pid)).toBe(false);
    await stop;
    expect(spawned.length).toBe(1);
  });
});

// The watchdog, the figures from /proc and the deadline of every stop, decided without processes: fake workers, a hand-moved clock.
import { describe, expect, test } from "bun:test";
import { settle } from "./fakes.ts";
import { WEB, configOf, supervisorOf, startedSupervisor } from "./supervisor-fixture.ts";

const started = (config = configOf([WEB()])) => startedSupervisor(config);

describe("watchdog", () => {
  test("a ready process silent for watchdogSeconds is shown unresponsive, killed, and restarted as a crash", async () => {
    const { clock, spawned, events, rows, supervisor } = await started();
    const hung = spawned[0]!;
    // What status shows while the process is being killed (the fake dies at the next timer, a real one within ms).
    let shown: string | undefined;
    supervisor.on((e) => {
      if (e.type === "process-unresponsive") shown = rows().find((r) => r.pid === hung.pid)?.state;
    });
    await clock.advance(5000);
    hung.hang();
    await clock.advance(9000);
    expect(events.some((e) => e.type === "process-unresponsive")).toBe(false);
    expect(rows().find((r) => r.pid === hung.pid)!.state).toBe("ready");
    // The sweep runs once a second: the tick at 10 s of silence sees it.
    await clock.advance(999);
    expect(events.some((e) => e.type === "process-unresponsive")).toBe(false);
    await clock.advance(1);
    expect(events.find((e) => e.type === "process-unresponsive")).toMatchObject({
      pid: hung.pid,
      group: "web",
      index: 0,
      silentMs: 10_000,
      watchdogSeconds: 10,
    });
    expect(shown).toBe("unresponsive");
    expect(hung.stoppedWith).toMatchObject({ graceful: false, deadlineMs: 0 });
    await clock.advance(0);
    const exited = events.find((e) => e.type === "process-exited" && e.pid === hung.pid);
    expect(exited).toMatchObject({ expected: false, signal: "SIGKILL", restartInMs: 100 });
    expect(exited!.type === "process-exited" && exited!.reason!.text).toBe("unresponsive: sent nothing for 10.0 s (watchdogSeconds 10), killed");
    expect(supervisor.slots[0]!.backoff.crashes).toBe(1);
    await clock.advance(100);
    expect(spawned.length).toBe(3);
    spawned[2]!.becomeReady();
    await settle();
    expect(rows().map((r) => [r.index, r.state])).toEqual([
      [0, "ready"],
      [1, "ready"],
    ]);
    // The other process, which kept reporting, was never judged.
    expect(spawned[1]!.stoppedWith).toBeUndefined();
  });

  test("a new process that hangs in its settle window is reported unresponsive on the rolled-back reload, not as the SIGKILL", async () => {
    const { clock, supervisor, of } = await started(configOf([WEB(1, { watchdogSeconds: 3, healthySeconds: 10 })]));
    const { record, done } = supervisor.reload();
    await settle();
    const [fresh] = of("web", 2);
    fresh!.becomeReady();
    await clock.advance(1000);
    fresh!.hang();
    await clock.advance(4000);
    expect((await done).state).toBe("rolled-back");
    expect(record.groups[0]!.reason).toMatchObject({ kind: "exit", signal: "SIGKILL", pid: fresh!.pid });
    expect(record.groups[0]!.reason!.text).toStartWith("unresponsive: sent nothing for 3.0 s (watchdogSeconds 3), killed");
    expect(supervisor.slots[0]!.current!.generation).toBe(1);
  });

  test("watchdogSeconds 0 turns it off; a process still starting is left to startTimeout", async () => {
    const { clock, spawned, events } = await started(configOf([WEB(1, { watchdogSeconds: 0 })]));
    spawned[0]!.hang();
    await clock.advance(120_000);
    expect(events.some((e) => e.type === "process-unresponsive")).toBe(false);
    expect(spawned[0]!.stoppedWith).toBeUndefined();
  });

  test("per group: a 3 s watchdog fires at 3 s", async () => {
    const { clock, spawned, events } = await started(configOf([WEB(1, { watchdogSeconds: 3 })]));
    spawned[0]!.hang();
    await clock.advance(3000);
    expect(events.find((e) => e.type === "process-unresponsive")).toMatchObject({ silentMs: 3000, watchdogSeconds: 3 });
  });
});

describe("figures from /proc", () => {
  test("maxMemoryMB is checked against the reading the master takes, so it fires for a process that stopped reporting", async () => {
    const { clock, spawned, events } = await started(configOf([WEB(1, { maxMemoryMB: 100, watchdogSeconds: 0 })]));
    const big = spawned[0]!;
    big.hang();
    big.rssBytes = 99 * 1024 * 1024;
    await clock.advance(1000);
    expect(events.some((e) => e.type === "memory-limit")).toBe(false);
    big.rssBytes = 1536 * 1024 * 1024;
    await clock.advance(1000);
    expect(events.find((e) => e.type === "memory-limit")).toMatchObject({ pid: big.pid, rssBytes: 1536 * 1024 * 1024, limitBytes: 100 * 1024 * 1024 });
    expect(spawned.length).toBe(2);
    spawned[1]!.becomeReady();
    await clock.advance(2000);
    // Replaced through the gate, then stopped like any stop: SIGKILL at the stop deadline since it cannot drain.
    expect(big.stoppedWith).toMatchObject({ graceful: false, reason: "reload" });
    await clock.advance(big.stoppedWith!.deadlineMs);
    expect(big.state).toBe("exited");
  });

  test("status shows the master's reading, not the worker's own report", async () => {
    const { spawned, rows } = await started(configOf([WEB(1)]));
    spawned[0]!.rssBytes = 200 * 1024 * 1024;
    expect(rows()[0]!.rssBytes).toBe(200 * 1024 * 1024);
  });
});

describe("every stop has a deadline", () => {
  test("a graceful stop kills a hung process 2 s after gracefulTimeout (plus the drain window), when it did not end itself, and returns", async () => {
    const { supervisor, clock, spawned } = await started(configOf([WEB(2, { watchdogSeconds: 0 })], { gracefulTimeout: 5 }));
    spawned[0]!.hang();
    let stopped = false;
    const stop = supervisor.stop(true).then(() => (stopped = true));
    await clock.advance(7299);
    expect(stopped).toBe(false);
    expect(spawned[1]!.state).toBe("exited");
    expect(spawned[0]!.stoppedWith).toEqual({ graceful: true, reason: "stop", deadlineMs: 7300 });
    await clock.advance(1);
    await stop;
    expect(spawned[0]!.state).toBe("exited");
  });

  test("gracefulTimeout defaults to 60 s; a graceful reload's old generation gets the same deadline", async () => {
    const { supervisor, clock, spawned, of } = await started(configOf([WEB(1, { watchdogSeconds: 0 })], { reload: { probationSeconds: 0 } }));
    spawned[0]!.hang();
    const { done } = supervisor.reload({ graceful: true });
    await settle();
    of("web", 2)[0]!.becomeReady();
    await clock.advance(2000);
    expect((await done).state).toBe("done");
    expect(spawned[0]!.stoppedWith).toEqual({ graceful: true, reason: "reload", deadlineMs: 62_300 });
    await clock.advance(62_300);
    expect(spawned[0]!.state).toBe("exited");
  });
});

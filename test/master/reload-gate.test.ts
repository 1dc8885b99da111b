// The reload health gate and rollback, decided without processes: fake workers, a hand-moved clock.
import { describe, expect, test } from "bun:test";
import { planReload } from "../../src/master/config-reload.ts";
import { settle } from "./fakes.ts";
import { API, WEB, configOf, supervisorOf, startedSupervisor } from "./supervisor-fixture.ts";

const started = (config = configOf([WEB()])) => startedSupervisor(config);

describe("reload health gate", () => {
  test("the old generation drains only after every new process stayed up for healthySeconds (probation off)", async () => {
    const { supervisor, clock, of } = await started(configOf([WEB()], { reload: { probationSeconds: 0 } }));
    const old = of("web", 1);
    const { record, done } = supervisor.reload();
    await settle();
    const fresh = of("web", 2);
    expect(fresh.length).toBe(2);
    fresh.forEach((p) => p.becomeReady());
    await clock.advance(1999);
    expect(record.groups[0]!.phase).toBe("settling");
    expect(record.groups[0]!.settleUntil).toBe(clock.now() + 1);
    expect(old.every((p) => p.stoppedWith === undefined)).toBe(true);
    await clock.advance(1);
    expect((await done).state).toBe("done");
    expect(record.groups[0]).toMatchObject({ name: "web", phase: "replaced", replaced: 2 });
    expect(old.map((p) => p.stoppedWith?.reason)).toEqual(["reload", "reload"]);
    expect(supervisor.slots.map((s) => s.current!.pid)).toEqual(fresh.map((p) => p.pid));
  });

  test("a new process that exits inside the settle window rolls the group back; the old ones are untouched", async () => {
    const { supervisor, clock, of, events } = await started();
    const old = of("web", 1);
    const { done } = supervisor.reload();
    await settle();
    const fresh = of("web", 2);
    fresh.forEach((p) => p.becomeReady());
    await clock.advance(1000);
    fresh[1]!.exit(1, null, { stderr: ["Error: db gone"] });
    const record = await done;
    expect(record.state).toBe("rolled-back");
    const group = record.groups[0]!;
    expect(group.phase).toBe("rolled-back");
    expect(group.reason).toMatchObject({ kind: "exit", code: 1, index: 1 });
    expect(group.reason!.text).toBe("exited with code 1 1.0 s after it was ready: Error: db gone");
    expect(old.every((p) => p.stoppedWith === undefined && p.state === "ready")).toBe(true);
    expect(fresh[0]!.stoppedWith).toBeDefined();
    expect(supervisor.slots.map((s) => s.current!.pid)).toEqual(old.map((p) => p.pid));
    const failed = events.find((e) => e.type === "reload-failed");
    expect(failed).toMatchObject({ group: "web", reason: { kind: "exit" } });
  });

  test("a load error carries file:line:column relative to app.json, the source line and the message", async () => {
    const config = configOf([WEB()]);
    const { supervisor, of } = await started(config);
    const { done } = supervisor.reload();
    await settle();
    const position = { file: `${config.baseDir}/lib/h.ts`, line: 3, column: 41, lineText: '  fetch() { return new Response("x"}; }' };
    of("web", 2)[0]!.exit(1, null, { fatal: { code: "E_HANDLER", message: "E_HANDLER: ...", detail: 'Expected ")" but found "}"', position } });
    const reason = (await done).groups[0]!.reason!;
    expect(reason).toMatchObject({ kind: "load-error", at: "lib/h.ts:3:41", line: 3, column: 41, lineText: position.lineText });
    expect(reason.text).toBe('lib/h.ts:3:41 Expected ")" but found "}"');
  });

  test("not ready within reload.startTimeout: rolled back as a timeout", async () => {
    const { supervisor, clock, of } = await started(configOf([WEB(1)], { reload: { startTimeout: 3 } }));
    const { done } = supervisor.reload();
    await clock.advance(3000);
    const record = await done;
    expect(record.groups[0]!.reason).toMatchObject({ kind: "start-timeout" });
    expect(of("web", 2)[0]!.stoppedWith).toBeDefined();
  });

  test("onHealthCheck saying no rolls back; a per-group healthySeconds overrides the default", async () => {
    const { supervisor, clock, of } = await started(configOf([WEB(1, { healthySeconds: 0.5 })]));
    const { done } = supervisor.reload();
    await settle();
    const [fresh] = of("web", 2);
    fresh!.health = { ok: false, error: "onHealthCheck returned false" };
    fresh!.becomeReady();
    await clock.advance(500);
    const reason = (await done).groups[0]!.reason!;
    expect(reason).toMatchObject({ kind: "health-check", text: "onHealthCheck returned false" });
  });

  test("groups are independent: one rolls back, the other is replaced", async () => {
    const { supervisor, clock, of } = await started(configOf([WEB(1), API(1)]));
    const { done } = supervisor.reload();
    await settle();
    of("web", 2)[0]!.exit(1, null, { fatal: { code: "E_HANDLER", message: "boom", detail: "boom" } });
    of("api", 2)[0]!.becomeReady();
    await clock.advance(2000);
    const record = await done;
    expect(record.state).toBe("rolled-back");
    expect(record.groups.map((g) => `${g.name} ${g.phase}`)).toEqual(["web rolled-back", "api probation"]);
    expect(supervisor.slots.find((s) => s.group.name === "api")!.current!.generation).toBe(2);
    expect(supervisor.slots.find((s) => s.group.name === "web")!.current!.generation).toBe(1);
  });

  test("a second reload of a group while one is under way is refused", async () => {
    const { supervisor } = await started();
    supervisor.reload();
    expect(() => supervisor.reload()).toThrow(/under way/);
    expect(() => supervisor.reload()).toThrow(expect.objectContaining({ code: "E_CONFLICT" }));
  });
});

describe("config reload", () => {
  test("count 2 -> 3 with new settings: 3 slots of the new generation once it passes, the 2 old drain (probation off)", async () => {
    const { supervisor, clock, of } = await started();
    const next = configOf([WEB(3, { env: { RELEASE: "2" } })], { reload: { probationSeconds: 0 } }, supervisor.config.baseDir);
    const plans = planReload(supervisor.config, next).plans;
    expect(plans).toMatchObject([{ name: "web", change: "changed", keys: ["count", "env"] }]);
    const { done } = supervisor.reload({ plans, config: next });
    await settle();
    const fresh = of("web", 2);
    expect(fresh.map((p) => p.options.launch.group.env.RELEASE)).toEqual(["2", "2", "2"]);
    fresh.forEach((p) => p.becomeReady());
    await clock.advance(2000);
    expect((await done).groups[0]).toMatchObject({ phase: "replaced", replaced: 3, count: 3 });
    expect(supervisor.slots.map((s) => `${s.index}:${s.current!.generation}`)).toEqual(["0:2", "1:2", "2:2"]);
    expect(supervisor.config.workers[0]!.count).toBe(3);
    expect(of("web", 1).every((p) => p.stoppedWith?.reason === "reload")).toBe(true);
  });

  test("a rolled-back config change keeps the old settings and slots", async () => {
    const { supervisor, of } = await started();
    const next = configOf([WEB(3)], {}, supervisor.config.baseDir);
    const { done } = supervisor.reload({ plans: planReload(supervisor.config, next).plans, config: next });
    await settle();
    of("web", 2)[2]!.exit(1, null, { fatal: { code: "E_HANDLER", message: "x", detail: "boom" } });
    expect((await done).state).toBe("rolled-back");
    expect(supervisor.slots.length).toBe(2);
    expect(supervisor.config.workers[0]!.count).toBe(2);
  });

  test("an added group starts through the gate, a removed one drains, admin.listen is named as needing a restart", async () => {
    const { supervisor, clock, of } = await started();
    const next = configOf([API(1)], { admin: { listen: "127.0.0.1:9999" } }, supervisor.config.baseDir);
    const { plans, needsRestart } = planReload(supervisor.config, next);
    expect(needsRestart).toEqual(["admin.listen"]);
    const { done, record } = supervisor.reload({ plans, config: next, needsRestart });
    await settle();
    of("api", 2)[0]!.becomeReady();
    await clock.advance(2000);
    await done;
    expect(record.groups.map((g) => `${g.name} ${g.change} ${g.phase}`)).toEqual(["api added replaced", "web removed removed"]);
    expect(supervisor.slots.map((s) => s.group.name)).toEqual(["api"]);
    expect(supervisor.config.workers.map((g) => g.name)).toEqual(["api"]);
    expect(of("web", 1).every((p) => p.stoppedWith?.reason === "stop")).toBe(true);
  });
});

describe("generations", () => {
  test("an old process that crashes during a reload's settle window comes back with its own generation, not the reload's", async () => {
    const { supervisor, clock, of } = await started(configOf([WEB()], { reload: { healthySeconds: 10, probationSeconds: 0 } }));
    supervisor.reload();
    await settle();
    for (const p of of("web", 2)) p.becomeReady();
    await clock.advance(1000);
    of("web", 1)[0]!.exit(1);
    await clock.advance(2000);
    const respawned = of("web", 1).filter((p) => p.state !== "exited");
    expect(respawned).toHaveLength(2);
    expect(supervisor.slots.map((s) => s.current?.generation)).toEqual([1, 1]);
  });

  test("a supervisor given a first generation (a restart's new master) numbers from it", async () => {
    const config = configOf([WEB(1)]);
    const s = supervisorOf(config, 7);
    const start = s.supervisor.start();
    await settle();
    s.spawned[0]!.becomeReady();
    await start;
    expect(s.spawned[0]!.generation).toBe(7);
    s.supervisor.reload();
    await settle();
    expect(s.spawned.at(-1)!.generation).toBe(8);
  });
});

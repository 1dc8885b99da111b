// The first start fails fast; crashes after a healthy start are restarted with backoff and stay visible; retry starts now.
import { describe, expect, test } from "bun:test";
import { buildStatus } from "../../src/master/status.ts";
import { StartFailure } from "../../src/master/failure-reason.ts";
import { settle } from "./fakes.ts";
import { API, WEB, configOf, supervisorOf } from "./supervisor-fixture.ts";

describe("start", () => {
  test("a group whose process exits before it is ready fails the start with its reason; nothing is restarted", async () => {
    const { supervisor, clock, of, spawned } = supervisorOf(configOf([WEB(2), API(1)]));
    const start = supervisor.start().catch((err) => err);
    await settle();
    of("api")[0]!.becomeReady();
    of("web")[1]!.exit(1, null, { fatal: { code: "E_HANDLER", message: "x", detail: "Cannot find module './db.ts'" } });
    const err = await start;
    expect(err).toBeInstanceOf(StartFailure);
    expect(err.group).toBe("web");
    expect(err.toString()).toContain(`E_START: group "web" cannot start: Cannot find module './db.ts'`);
    await clock.advance(60_000);
    expect(spawned.length).toBe(3);
  });

  test("a process not ready within startTimeout fails the start", async () => {
    const { supervisor, clock } = supervisorOf(configOf([WEB(1)], { reload: { startTimeout: 2 } }));
    const start = supervisor.start().catch((err) => err);
    await clock.advance(2000);
    expect((await start).reason.kind).toBe("start-timeout");
  });
});

describe("backoff", () => {
  async function running() {
    const s = supervisorOf(configOf([WEB(1)]));
    const start = s.supervisor.start();
    await settle();
    s.spawned[0]!.becomeReady();
    await start;
    return s;
  }

  test("a slot that was ready once restarts 100, 200, 400 ms after crashes, then shows crashloop with its last exit", async () => {
    const { supervisor, clock, spawned } = await running();
    const status = () => buildStatus(supervisor.config, supervisor, 0, 1).processes;
    spawned[0]!.exit(3, null, { stderr: ["fatal: no database"] });
    await settle();
    expect(status()).toMatchObject([{ pid: null, state: "backoff", restarts: 1, nextRetryAt: clock.now() + 100, lastExit: { code: 3, signal: null } }]);
    expect(status()[0]!.lastExit!.reason.text).toContain("exited with code 3");
    for (const delay of [100, 200, 400]) {
      await clock.advance(delay);
      expect(spawned.length).toBeGreaterThan(1);
      spawned.at(-1)!.exit(3, null, { stderr: ["fatal: no database"] });
      await settle();
    }
    const row = status()[0]!;
    expect(row).toMatchObject({ pid: null, state: "crashloop", restarts: 4, lastExit: { code: 3 } });
    expect(row.nextRetryAt).toBe(clock.now() + 800);
  });

  test("retry starts a waiting slot now and forgets its crash count", async () => {
    const { supervisor, clock, spawned, events } = await running();
    spawned[0]!.exit(1);
    await settle();
    expect(supervisor.retry("web")).toBe(1);
    expect(spawned.length).toBe(2);
    expect(supervisor.slots[0]!.backoff.crashes).toBe(0);
    await clock.advance(10_000);
    expect(spawned.length).toBe(2);
    expect(events.some((e) => e.type === "retry" && e.slots === 1)).toBe(true);
    expect(() => supervisor.retry("nope")).toThrow(/no group "nope"/);
  });

  test("a stop clears pending restarts", async () => {
    const { supervisor, clock, spawned } = await running();
    spawned[0]!.exit(1);
    await settle();
    await supervisor.stop(false);
    await clock.advance(10_000);
    expect(spawned.length).toBe(1);
  });
});

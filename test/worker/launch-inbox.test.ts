// A worker spawned without its launch config (as a master's early worker is), compiled, with this test as its master: the launch over IPC, a stop first, a malformed launch, none at all.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { validateConfigObject } from "../../src/config/validate.ts";
import { LAUNCH_WAIT_ENV, WORKER_ARG, type MasterToWorker, type WorkerLaunch, type WorkerToMaster } from "../../src/ipc.ts";
import { BINARY } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { waitFor, within } from "../support/wait.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const undo of cleanups.splice(0)) undo();
});

interface Early {
  child: Subprocess<"ignore", "pipe", "pipe">;
  messages: WorkerToMaster[];
  ended: Promise<{ code: number; stderr: string }>;
}

function spawnWaiting(env: Record<string, string> = {}): Early {
  const messages: WorkerToMaster[] = [];
  const child = Bun.spawn([BINARY, WORKER_ARG], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ipc: (message: WorkerToMaster) => messages.push(message),
    serialization: "json",
  });
  cleanups.push(() => child.kill("SIGKILL"));
  const ended = Promise.all([child.exited, new Response(child.stderr).text()]).then(([code, stderr]) => ({ code, stderr }));
  return { child, messages, ended };
}

function launchFor(handler: string): WorkerLaunch {
  const dir = mkdtempSync(join(tmpdir(), "wm-launch-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "h.ts"), handler);
  const config = validateConfigObject(
    { name: "t", admin: { listen: "127.0.0.1:0" }, workers: [{ name: "w", listen: "http://127.0.0.1:0", handler: "./h.ts" }] },
    join(dir, "app.json"),
  );
  return { appName: "t", group: config.workers[0]!, index: 0, generation: 1, stopTimeoutMs: 1000, drainWindowMs: 50 };
}

describe("a worker that waits for its launch config (compiled)", () => {
  test("the launch over IPC: its env is set before the handler loads; it serves, then stops on request", async () => {
    await ensureBinary();
    const early = spawnWaiting();
    const send = (message: MasterToWorker) => early.child.send(message);
    send({
      type: "launch",
      launch: launchFor(`export default { fetch: () => new Response(process.env.EARLY_NOTE) };`),
      env: { EARLY_NOTE: "from the launch" },
    });
    await waitFor(() => early.messages.find((m) => m.type === "ready"), { timeoutMs: 10_000, what: "ready" });
    const ready = early.messages.find((m) => m.type === "ready") as Extract<WorkerToMaster, { type: "ready" }>;
    expect(await (await fetch(ready.listen.url.replace(":0", `:${ready.listen.port}`))).text()).toBe("from the launch");
    send({ type: "stop", graceful: false, reason: "stop" });
    expect((await within(early.ended, 5000, "the exit")).code).toBe(0);
  }, 30_000);

  test("a stop before any launch: it exits 0 without loading anything", async () => {
    await ensureBinary();
    const early = spawnWaiting();
    early.child.send({ type: "stop", graceful: false, reason: "stop" });
    const { code } = await within(early.ended, 5000, "the exit");
    expect(code).toBe(0);
    expect(early.messages).toEqual([]);
  }, 30_000);

  test("a malformed launch: one line naming what is wrong, told to the master too, exit 1", async () => {
    await ensureBinary();
    const early = spawnWaiting();
    const launch = launchFor("export default {};");
    const broken = { ...launch, group: { ...launch.group, handler: undefined } } as unknown as WorkerLaunch;
    early.child.send({ type: "launch", launch: broken, env: {} });
    const { code, stderr } = await within(early.ended, 5000, "the exit");
    expect(code).toBe(1);
    expect(stderr.trim()).toBe("E_INTERNAL: malformed launch message from the master (no handler path): is the master the same build as this worker?");
    expect(early.messages).toEqual([expect.objectContaining({ type: "fatal", code: "E_INTERNAL" })]);
  }, 30_000);

  test("no launch within its bound: it says so and exits 1", async () => {
    await ensureBinary();
    const early = spawnWaiting({ [LAUNCH_WAIT_ENV]: "400" });
    const { code, stderr } = await within(early.ended, 5000, "the exit");
    expect(code).toBe(1);
    expect(stderr).toContain("no launch config from the master within 400 ms");
  }, 30_000);
});

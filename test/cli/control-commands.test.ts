// Control commands reach the running master while app.json is broken, and never hang on a master that does not answer.
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppUnderTest, cliCommand, isAlive } from "../support/app-under-test.ts";

const WEB = { name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" };
const FILES = { "web.ts": `export default { fetch: () => new Response("ok") };` };

function cli(args: string[], env: Record<string, string> = {}) {
  const started = performance.now();
  const run = Bun.spawnSync([...cliCommand(), ...args], { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString(), ms: performance.now() - started };
}

test("status, logs and connections reach the master while app.json is mid-edit; reload still refuses it", async () => {
  await using app = await AppUnderTest.start({ workers: [WEB], files: FILES });
  const pids = await app.pids("web");
  writeFileSync(app.configPath, `{ "name": "test", "dataDir": "data", "workers": [ {`);
  const status = cli(["status", "--config", app.configPath]);
  expect(status.code).toBe(0);
  expect(status.stdout).toContain(String(pids[0]));
  expect(status.stderr).toContain("reached the running master through its data directory");
  expect(cli(["logs", "--config", app.configPath]).code).toBe(0);
  expect(cli(["connections", "--config", app.configPath]).code).toBe(0);
  const reload = cli(["reload", "--config", app.configPath]);
  expect(reload.code).toBe(2);
  expect(reload.stderr).toContain("E_CONFIG");
  // A handler moved away: the config no longer validates, the master is still reached.
  writeFileSync(app.configPath, JSON.stringify({ name: "test", dataDir: "data", workers: [{ ...WEB, handler: "./moved.ts" }] }));
  expect(cli(["status", "--config", app.configPath]).code).toBe(0);
});

test("stop works while app.json is invalid JSON: the master and its workers are gone", async () => {
  await using app = await AppUnderTest.start({ workers: [WEB], files: FILES });
  const pids = await app.pids("web");
  writeFileSync(app.configPath, `{ "name": "test", "dataDir": "data", "workers": [ { "name": "web",`);
  const stop = cli(["stop", "--config", app.configPath]);
  expect(stop.stdout).toContain("stopped");
  expect(stop.code).toBe(0);
  expect(await app.master.exited).toBe(0);
  for (const pid of pids) expect(isAlive(pid)).toBe(false);
});

test("status against a stopped (SIGSTOP) master returns within its timeout, saying what to do", async () => {
  await using app = await AppUnderTest.start({ workers: [WEB], files: FILES });
  process.kill(app.master.pid, "SIGSTOP");
  try {
    const status = cli(["status", "--config", app.configPath], { WORKERMAN_CLI_TIMEOUT: "1" });
    expect(status.code).toBe(1);
    expect(status.ms).toBeLessThan(4000);
    expect(status.stderr).toContain(`the master (pid ${app.master.pid})`);
    expect(status.stderr).toContain("did not answer within 1 s");
    expect(status.stderr).toContain(`kill -CONT ${app.master.pid}`);
  } finally {
    process.kill(app.master.pid, "SIGCONT");
  }
  expect(cli(["status", "--config", app.configPath]).code).toBe(0);
});

test("a broken app.json and no runtime file: the error gives the way out through master.pid", () => {
  const dir = mkdtempSync(join(tmpdir(), "wm-control-"));
  try {
    mkdirSync(join(dir, ".workerman"));
    writeFileSync(join(dir, ".workerman", "master.pid"), "12345\n");
    writeFileSync(join(dir, "app.json"), "{ not json");
    const status = cli(["status", "--config", join(dir, "app.json")]);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain(`kill -TERM $(cat ${join(dir, ".workerman", "master.pid")})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

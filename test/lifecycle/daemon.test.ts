// start -d / status / stop round trip through the runtime file, stale pid files, double starts, restart.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliCommand, isAlive } from "../support/app-under-test.ts";
import { askLine } from "../support/clients.ts";

const HANDLER = `export default { onMessage(conn, line) { console.log("handled " + line); conn.send("pid " + process.pid + " " + line); } };`;
let dirs: string[] = [];

function appDir(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), "wm-daemon-"));
  dirs.push(dir);
  writeFileSync(join(dir, "t.ts"), HANDLER);
  const config = join(dir, "app.json");
  writeFileSync(
    config,
    JSON.stringify({
      name: "d",
      dataDir: "data",
      stopTimeout: 1,
      admin: { listen: "127.0.0.1:0" },
      workers: [{ name: "t", listen: "text://127.0.0.1:0", count: 2, handler: "./t.ts" }],
    }),
  );
  return { dir, config };
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([...cliCommand(), ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

function runtimePid(dir: string): number {
  return JSON.parse(readFileSync(join(dir, "data/runtime.json"), "utf8")).pid;
}

afterEach(async () => {
  for (const dir of dirs) {
    try {
      const pid = runtimePid(dir);
      if (isAlive(pid)) process.kill(pid, "SIGKILL");
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  }
  dirs = [];
});

describe("daemon mode", () => {
  test("start -d detaches; status and stop find it; output goes to the log with time, group and pid", async () => {
    const { dir, config } = appDir();
    const started = await cli("start", "-d", "--config", config);
    expect(started.code).toBe(0);
    expect(started.stdout).toContain("started in the background");
    const masterPid = runtimePid(dir);
    expect(isAlive(masterPid)).toBe(true);
    expect(readFileSync(join(dir, "data/master.pid"), "utf8").trim()).toBe(String(masterPid));

    const status = JSON.parse((await cli("status", "--json", "--config", config)).stdout);
    expect(status.master.pid).toBe(masterPid);
    const workers = status.processes.map((p: { pid: number }) => p.pid);
    expect(workers.length).toBe(2);
    const port = Number(status.groups[0].listen.split(":").pop());
    expect(await askLine({ port }, "logged line")).toMatch(/logged line$/);

    const second = await cli("start", "-d", "--config", config);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`already running as pid ${masterPid}`);

    const stopped = await cli("stop", "--config", config);
    expect(stopped.code).toBe(0);
    expect(isAlive(masterPid)).toBe(false);
    expect(workers.filter(isAlive)).toEqual([]);
    const log = readFileSync(join(dir, "data/workerman.log"), "utf8");
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[t#\d \d+\] handled logged line$/m);
    expect(log).toMatch(new RegExp(`^\\S+ \\[master ${masterPid}\\] stopped$`, "m"));
  });

  test("a stale runtime file (process gone) is replaced with a note; stop without a master says so", async () => {
    const { dir, config } = appDir();
    const noMaster = await cli("stop", "--config", config);
    expect(noMaster.code).toBe(1);
    expect(noMaster.stderr).toContain("no running master");
    const dead = Bun.spawn(["true"]);
    await dead.exited;
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "data"), { recursive: true });
    writeFileSync(
      join(dir, "data/runtime.json"),
      JSON.stringify({ pid: dead.pid, adminUrl: "http://127.0.0.1:1", configPath: config, startedAt: 0, version: "0" }),
    );
    const started = await cli("start", "-d", "--config", config);
    expect(started.code).toBe(0);
    expect(started.stderr + started.stdout).toContain(`stale runtime file: pid ${dead.pid} is gone`);
    expect(runtimePid(dir)).not.toBe(dead.pid);
    expect((await cli("stop", "--config", config)).code).toBe(0);
  });

  test("restart: a new master with new workers, same config", async () => {
    const { dir, config } = appDir();
    expect((await cli("start", "-d", "--config", config)).code).toBe(0);
    const first = runtimePid(dir);
    const restarted = await cli("restart", "-d", "--config", config);
    expect(restarted.code).toBe(0);
    const second = runtimePid(dir);
    expect(second).not.toBe(first);
    expect(isAlive(first)).toBe(false);
    expect((await cli("stop", "--config", config)).code).toBe(0);
  });
});

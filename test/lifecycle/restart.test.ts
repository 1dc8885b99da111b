// restart hands over from master to master on real processes: no failed request under load, a new master pid, and a broken release leaves the old one serving.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { StatusResponse } from "../../src/admin/contract.ts";
import { cliCommand, isAlive, type Mode } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { askLine } from "../support/clients.ts";
import { ensureTcpMigrateReq, httpLoad, servedMore } from "../support/http-load.ts";
import { waitFor as waitUntil } from "../support/wait.ts";

const HTTP = `export default { fetch: () => new Response("pid " + process.pid) };`;
const TEXT = `export default { onMessage(conn, line) { conn.send("pid " + process.pid + " " + line); } };`;
let dirs: string[] = [];

function appDir(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), "wm-restart-"));
  dirs.push(dir);
  writeFileSync(join(dir, "web.ts"), HTTP);
  writeFileSync(join(dir, "t.ts"), TEXT);
  const config = join(dir, "app.json");
  writeFileSync(
    config,
    JSON.stringify({
      name: basename(dir),
      dataDir: "data",
      stopTimeout: 1,
      drainWindowMs: 100,
      admin: { listen: "127.0.0.1:0" },
      workers: [
        { name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" },
        { name: "sock", listen: "unix://./s.sock", handler: "./t.ts", protocol: "text" },
      ],
    }),
  );
  return { dir, config };
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliIn("source", ...args);
}

async function cliIn(mode: Mode, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([...cliCommand(mode), ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const pidFile = (dir: string) => Number(readFileSync(join(dir, "data/master.pid"), "utf8").trim());
const runtime = (dir: string) => JSON.parse(readFileSync(join(dir, "data/runtime.json"), "utf8")) as { pid: number; adminUrl: string; ready: boolean };

async function status(dir: string): Promise<StatusResponse> {
  const token = readFileSync(join(dir, "data/admin.token"), "utf8").trim();
  const response = await fetch(`${runtime(dir).adminUrl}/api/status`, { headers: { Authorization: `Bearer ${token}` } });
  return (await response.json()) as StatusResponse;
}

async function webPort(dir: string): Promise<number> {
  const listen = (await status(dir)).groups.find((g) => g.name === "web")!.listen;
  return Number(listen.slice(listen.lastIndexOf(":") + 1));
}

function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  return waitUntil(check, { what, timeoutMs, intervalMs: 50 }) as Promise<T>;
}

/** Live master processes of this app (the master's process title names it: the app is named after its folder). */
function mastersOf(config: string): number[] {
  const title = `workerman-app: master ${basename(dirname(config))}`;
  return readdirSync("/proc")
    .map(Number)
    .filter((pid) => {
      if (!pid || !isAlive(pid)) return false;
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]!.trim() === title;
      } catch {
        return false;
      }
    });
}

afterEach(async () => {
  for (const dir of dirs) {
    try {
      // A signal, not `stop`: a test may have left app.json invalid on purpose.
      const { pid } = runtime(dir);
      if (isAlive(pid)) process.kill(pid, "SIGTERM");
      await waitFor(() => !isAlive(pid), `master ${pid} to stop`, 10_000);
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  }
  dirs = [];
});

describe("restart", () => {
  async function restartUnderLoad(mode: Mode): Promise<void> {
    const migrate = ensureTcpMigrateReq();
    if (migrate !== 1) console.warn(`net.ipv4.tcp_migrate_req is ${migrate}: queued connections may be reset when the old workers close`);
    const { dir, config } = appDir();
    expect((await cliIn(mode, "start", "-d", "--config", config)).code).toBe(0);
    const oldMaster = pidFile(dir);
    const oldWorkers = (await status(dir)).processes.map((p) => p.pid);
    const port = await webPort(dir);
    const load = httpLoad(`http://127.0.0.1:${port}/`, 4);
    await servedMore(load, 20, "before the restart");
    const restarted = await cliIn(mode, "restart", "-d", "--config", config);
    expect(restarted.stderr).toBe("");
    expect(restarted.code).toBe(0);
    await servedMore(load, 20, "after the restart");
    const result = await load.stop();
    expect(result.errors.slice(0, 5)).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.ok).toBeGreaterThan(50);

    const newMaster = pidFile(dir);
    expect(newMaster).not.toBe(oldMaster);
    expect(runtime(dir)).toMatchObject({ pid: newMaster, ready: true });
    expect(isAlive(oldMaster)).toBe(false);
    const now = await status(dir);
    expect(now.master.pid).toBe(newMaster);
    expect(now.processes.some((p) => oldWorkers.includes(p.pid))).toBe(false);
    expect(await webPort(dir)).toBe(port);
    const sockPid = now.processes.find((p) => p.group === "sock")!.pid;
    expect(await askLine({ unix: join(dir, "s.sock") }, "hi")).toBe(`pid ${sockPid} hi`);
    // Requests reached both masters' workers: the old ones until they drained, the new ones after.
    expect([...result.pids].some((pid) => oldWorkers.includes(pid))).toBe(true);
    expect([...result.pids].some((pid) => now.processes.some((p) => p.pid === pid))).toBe(true);
    console.log(`restart -d (${mode}) under load: ${result.ok} requests, ${result.failed} failed`);
  }

  test(
    "(f) restart -d under HTTP load: 0 failed requests, a new master pid in master.pid, the unix socket served by it",
    () => restartUnderLoad("source"),
    60_000,
  );

  test("(f) the same on the compiled executable", async () => {
    await ensureBinary();
    await restartUnderLoad("compiled");
  }, 120_000);

  test("restart in the foreground: this process becomes the master, the old one drains and exits 0", async () => {
    const { dir, config } = appDir();
    expect((await cli("start", "-d", "--config", config)).code).toBe(0);
    const oldMaster = pidFile(dir);
    const port = await webPort(dir);
    const fg = Bun.spawn([...cliCommand(), "restart", "--config", config], { stdout: "pipe", stderr: "pipe" });
    try {
      await waitFor(() => runtime(dir).pid === fg.pid && runtime(dir).ready, "the foreground master to take over");
      await waitFor(() => !isAlive(oldMaster), "the old master to exit");
      expect(pidFile(dir)).toBe(fg.pid);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toMatch(/^pid \d+$/);
      expect((await cli("stop", "--config", config)).code).toBe(0);
      expect(await fg.exited).toBe(0);
      const out = await new Response(fg.stdout).text();
      expect(out).toContain(`took over from master pid ${oldMaster}`);
    } finally {
      fg.kill("SIGKILL");
    }
  }, 60_000);

  test("a new master that cannot become ready leaves the old one serving and exits non-zero with the reason", async () => {
    const { dir, config } = appDir();
    expect((await cli("start", "-d", "--config", config)).code).toBe(0);
    const oldMaster = pidFile(dir);
    const before = await status(dir);
    const port = await webPort(dir);
    writeFileSync(join(dir, "web.ts"), `throw new Error("release 2 is broken");`);
    const failed = await cli("restart", "-d", "--config", config);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("release 2 is broken");
    expect(failed.stderr).toContain(`master pid ${oldMaster} keeps serving`);
    expect(pidFile(dir)).toBe(oldMaster);
    expect(runtime(dir).pid).toBe(oldMaster);
    const after = await status(dir);
    expect(after.processes.map((p) => p.pid).sort()).toEqual(before.processes.map((p) => p.pid).sort());
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toMatch(/^pid \d+$/);
    const sockPid = after.processes.find((p) => p.group === "sock")!.pid;
    expect(await askLine({ unix: join(dir, "s.sock") }, "still")).toBe(`pid ${sockPid} still`);
    // A release that is ready, then exits within the settle window (reload.healthySeconds): the same, in the foreground.
    writeFileSync(join(dir, "web.ts"), `setTimeout(() => process.exit(1), 1000); ${HTTP}`);
    const foreground = await cli("restart", "--config", config);
    expect(foreground.code).not.toBe(0);
    expect(foreground.stderr).toContain("exited with code 1");
    expect(foreground.stderr).toContain(`the old master (pid ${oldMaster}) keeps serving`);
    expect(pidFile(dir)).toBe(oldMaster);
    expect((await status(dir)).processes.map((p) => p.pid).sort()).toEqual(before.processes.map((p) => p.pid).sort());
  }, 60_000);

  test("two restarts at once leave exactly one master: the second is refused or finds nothing to replace", async () => {
    const { dir, config } = appDir();
    expect((await cli("start", "-d", "--config", config)).code).toBe(0);
    const [first, second] = await Promise.all([cli("restart", "-d", "--config", config), cli("restart", "-d", "--config", config)]);
    const codes = [first.code, second.code];
    expect(codes).toContain(0);
    const masters = mastersOf(config);
    expect(masters).toEqual([pidFile(dir)]);
    const refused = [first, second].find((r) => r.code !== 0);
    if (refused) expect(refused.stderr).toMatch(/a restart is already under way|no longer runs/);
  }, 60_000);

  test("an invalid config is refused with exit 2 before anything starts", async () => {
    const { dir, config } = appDir();
    expect((await cli("start", "-d", "--config", config)).code).toBe(0);
    const oldMaster = pidFile(dir);
    const raw = JSON.parse(readFileSync(config, "utf8"));
    raw.workers[0].count = 0;
    writeFileSync(config, JSON.stringify(raw));
    const refused = await cli("restart", "-d", "--config", config);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("workers[0].count");
    expect(pidFile(dir)).toBe(oldMaster);
    expect(isAlive(oldMaster)).toBe(true);
  }, 30_000);
});

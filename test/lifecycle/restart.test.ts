// restart hands over from master to master on real processes: no failed request under load, a new master pid, and a broken release leaves the old one serving.
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cliCommand, isAlive, type Mode } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { askLine } from "../support/clients.ts";
import { ensureTcpMigrateReq, httpLoad, servedMore } from "../support/http-load.ts";
import { HTTP, appDir, cli, cliIn, pidFile, runtime, status, webPort, waitFor, mastersOf, cleanUpApps } from "../support/restart-app.ts";

afterEach(cleanUpApps);

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

  test("generations go on across a restart: the new master's processes come after the old one's latest", async () => {
    const { dir, config } = appDir();
    expect((await cli("start", "-d", "--config", config)).code).toBe(0);
    expect((await cli("reload", "--config", config)).code).toBe(0);
    const before = Math.max(...(await status(dir)).processes.map((p) => p.generation));
    expect(before).toBeGreaterThanOrEqual(2);
    expect((await cli("restart", "-d", "--config", config)).code).toBe(0);
    const after = (await status(dir)).processes.map((p) => p.generation);
    expect(Math.min(...after)).toBe(before + 1);
  }, 60_000);
});

// A restartable app in a temp folder (http group + unix text group) and what the restart tests read of it: pid file, runtime file, status, live masters.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { StatusResponse } from "../../src/admin/contract.ts";
import { cliCommand, isAlive, type Mode } from "./app-under-test.ts";
import { waitFor as waitUntil } from "./wait.ts";

export const HTTP = `export default { fetch: () => new Response("pid " + process.pid) };`;
export const TEXT = `export default { onMessage(conn, line) { conn.send("pid " + process.pid + " " + line); } };`;
const dirs: string[] = [];

export function appDir(): { dir: string; config: string } {
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

export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliIn("source", ...args);
}

export async function cliIn(mode: Mode, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([...cliCommand(mode), ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

export const pidFile = (dir: string) => Number(readFileSync(join(dir, "data/master.pid"), "utf8").trim());
export const runtime = (dir: string) => JSON.parse(readFileSync(join(dir, "data/runtime.json"), "utf8")) as { pid: number; adminUrl: string; ready: boolean };

export async function status(dir: string): Promise<StatusResponse> {
  const token = readFileSync(join(dir, "data/admin.token"), "utf8").trim();
  const response = await fetch(`${runtime(dir).adminUrl}/api/status`, { headers: { Authorization: `Bearer ${token}` } });
  return (await response.json()) as StatusResponse;
}

export async function webPort(dir: string): Promise<number> {
  const listen = (await status(dir)).groups.find((g) => g.name === "web")!.listen;
  return Number(listen.slice(listen.lastIndexOf(":") + 1));
}

export function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  return waitUntil(check, { what, timeoutMs, intervalMs: 50 }) as Promise<T>;
}

/** Live master processes of this app (the master's process title names it: the app is named after its folder). */
export function mastersOf(config: string): number[] {
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

/** afterEach: stops every master the tests left (by signal: a test may have left app.json invalid) and removes the folders. */
export async function cleanUpApps(): Promise<void> {
  for (const dir of dirs.splice(0)) {
    try {
      const { pid } = runtime(dir);
      if (isAlive(pid)) process.kill(pid, "SIGTERM");
      await waitFor(() => !isAlive(pid), `master ${pid} to stop`, 10_000);
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

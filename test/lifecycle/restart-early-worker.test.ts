// `restart` with nothing running starts the app as `start` does: a worker spawned before the config is read boots beside it and serves the first slot.
import { afterEach, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childrenOf, cliCommand, processesMentioning } from "../support/app-under-test.ts";
import { forEachLine } from "../../src/master/line-splitter.ts";
import { waitFor } from "../support/wait.ts";

const HANDLER = `export default { fetch: () => new Response(String(process.pid)) };\n`;
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const undo of cleanups.splice(0).reverse()) undo();
});

test("restart with nothing running: the worker spawned while it reads app.json (a FIFO) is the one that serves", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wm-restart-early-"));
  const marker = `WM_RESTART_EARLY_TEST=${dir}`;
  cleanups.push(() => {
    for (const pid of processesMentioning(marker)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, "h.ts"), HANDLER);
  const configPath = join(dir, "app.json");
  execFileSync("mkfifo", [configPath]);
  const env = { ...process.env, WM_RESTART_EARLY_TEST: dir };
  const master = Bun.spawn([...cliCommand(), "restart", "--config", configPath], { cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe", env });
  cleanups.push(() => master.kill("SIGKILL"));
  const lines: string[] = [];
  void forEachLine(master.stdout, (line) => lines.push(line));
  // The reader is blocked in open(2) on the FIFO: a worker already boots beside it.
  const [early] = await waitFor(() => childrenOf(master.pid), { until: (pids) => pids.length === 1, timeoutMs: 10_000, what: "the early worker" });
  const app = {
    name: "restart-early",
    dataDir: "data",
    admin: { listen: "127.0.0.1:0" },
    workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./h.ts" }],
  };
  // Opens the FIFO for the restart's one read of it; the start it turns into then reads a plain file put in its place.
  writeFileSync(configPath, JSON.stringify(app));
  writeFileSync(join(dir, "plain.json"), JSON.stringify(app));
  renameSync(join(dir, "plain.json"), configPath);
  const row = await waitFor(() => lines.find((line) => line.startsWith("web ")), { timeoutMs: 10_000, what: "the start table" });
  expect(lines).toContain("not running; starting");
  const url = row.split(/\s+/)[1]!;
  const answer = await fetch(url, { headers: { connection: "close" } });
  expect(Number(await answer.text())).toBe(early!);
  expect(childrenOf(master.pid)).toEqual([early!]);
  master.kill("SIGTERM");
  expect(await master.exited).toBe(0);
  expect(processesMentioning(marker)).toEqual([]);
}, 30_000);

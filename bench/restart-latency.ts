// How long a slot is without its process: kill -9 of a worker to its replacement's first 200, and `restart --process` end to end; `restart` with nothing running (exec to first 200); plus the memory a worker waiting for its launch config holds (the cost of keeping one spare).
// `bun bench/restart-latency.ts [--runs N] [--drain-window-ms MS] [binary ...]` alternates builds (medians); one http group of 1 process, healthySeconds 0 so the figures are the mechanism's, not the settle window's (2 s by default).
// The old process's drain (drainWindowMs, 300 ms by default, while it answers `Connection: close`) is part of `restart --process` end to end: --drain-window-ms sets it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { markdownTable } from "./lib/markdown.ts";
import { freePorts } from "./lib/ports.ts";
import { rssKiB } from "./lib/proc.ts";
import { Group, onCleanup } from "./lib/processes.ts";
import { median } from "./lib/stats.ts";

const GIVE_UP_MS = 10_000;
const HANDLER = `export default { fetch: () => new Response(String(process.pid)) };\n`;

/**
 * The app every restart figure is taken on, written into `dir` (its app.json's path is returned): one http process
 * answering its pid, healthySeconds 0 so that the figures are the mechanism's, not the settle window's.
 */
export function writeOneProcessApp(dir: string, name: string, port: number, drainWindowMs: number | undefined): string {
  writeFileSync(join(dir, "h.ts"), HANDLER);
  const workers = [{ name: "web", listen: `http://127.0.0.1:${port}`, handler: "./h.ts" }];
  const app = { name, dataDir: "data", admin: { listen: "127.0.0.1:0" }, reload: { healthySeconds: 0, probationSeconds: 0 }, drainWindowMs, workers };
  const config = join(dir, "app.json");
  writeFileSync(config, JSON.stringify(app));
  return config;
}

/** The pid answering on `port` (null: nothing listens). */
async function answeringPid(port: number): Promise<number | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: "close" } });
    return Number(await response.text());
  } catch {
    return null;
  }
}

/** Polls every millisecond until a process other than `old` answers; ms since `from`. */
async function untilAnswerFromOther(port: number, old: number, from: number): Promise<number> {
  while (performance.now() - from < GIVE_UP_MS) {
    const pid = await answeringPid(port);
    if (pid !== null && pid !== old) return performance.now() - from;
    await Bun.sleep(1);
  }
  throw new Error(`no other process answered on ${port} within ${GIVE_UP_MS} ms`);
}

async function run(argv: string[], cwd: string): Promise<number> {
  const proc = Bun.spawn(argv, { cwd, stdio: ["ignore", "ignore", "inherit"] });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`${argv.join(" ")} exited with ${code}`);
  return code;
}

interface Round {
  crashMs: number;
  restartProcessMs: number;
  restartStartMs: number;
}

/** One start of `binary`: a kill -9 and a restart --process of its one worker, timed. */
async function oneRound(binary: string, dir: string, port: number): Promise<Round> {
  const config = join(dir, "app.json");
  await using master = new Group([binary, "start", "--config", config], { cwd: dir });
  await master.waitForLine((line) => line.includes("Press Ctrl+C to stop."), GIVE_UP_MS, "the start");
  const first = (await answeringPid(port))!;
  const killedAt = performance.now();
  process.kill(first, "SIGKILL");
  const crashMs = await untilAnswerFromOther(port, first, killedAt);
  const second = (await answeringPid(port))!;
  const asked = performance.now();
  await run([binary, "restart", "--process", String(second), "--config", config], dir);
  const restartProcessMs = performance.now() - asked;
  await master.stop();
  return { crashMs, restartProcessMs, restartStartMs: await restartFromNothing(binary, dir, config, port) };
}

/** `restart` with nothing running (it starts the app, in the foreground): exec to the first 200 through its worker. */
async function restartFromNothing(binary: string, dir: string, config: string, port: number): Promise<number> {
  const from = performance.now();
  await using master = new Group([binary, "restart", "--config", config], { cwd: dir });
  const ms = await untilAnswerFromOther(port, -1, from);
  await master.stop();
  return ms;
}

/** RSS of a worker started without its launch config, once it waits (its modules loaded), and of one serving idle. */
async function waitingRss(binary: string): Promise<number> {
  const child = Bun.spawn([binary, "__worker"], { stdio: ["ignore", "ignore", "ignore"], ipc: () => {}, serialization: "json" });
  await Bun.sleep(500);
  const kib = rssKiB(child.pid);
  child.kill("SIGKILL");
  await child.exited;
  return kib / 1024;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf("--runs");
  const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 5;
  const drainAt = args.indexOf("--drain-window-ms");
  const drainWindowMs = drainAt >= 0 ? Number(args.splice(drainAt, 2)[1]) : undefined;
  const binaries = args.length ? args : [join(import.meta.dir, "../workerman-app")];
  const dir = mkdtempSync(join(tmpdir(), "wm-restart-"));
  const removeDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const { http: port } = await freePorts(["http"]);
    const dirs = binaries.map((_, i) => join(dir, String(i)));
    for (const d of dirs) {
      mkdirSync(d);
      writeOneProcessApp(d, "restarts", port, drainWindowMs);
    }
    const rounds = binaries.map(() => [] as Round[]);
    for (let round = 0; round <= runs; round++) {
      const order = binaries.map((_, i) => i);
      for (const i of round % 2 ? order : order.reverse()) {
        const result = await oneRound(binaries[i]!, dirs[i]!, port);
        if (round > 0) rounds[i]!.push(result);
      }
    }
    const rows = binaries.map((binary, i) => {
      const r = rounds[i]!;
      const ms = (key: keyof Round) => median(r.map((x) => x[key])).toFixed(1);
      return [binary, ms("crashMs"), ms("restartProcessMs"), ms("restartStartMs")];
    });
    console.log(`${runs} rounds each, alternated, medians (ms); drainWindowMs ${drainWindowMs ?? "300 (default)"}\n`);
    const columns = [
      "binary",
      "kill -9 of the worker to its replacement's first 200",
      "restart --process, end to end",
      "restart with nothing running: exec to first 200",
    ];
    console.log(markdownTable(columns, rows, ["l", "r", "r", "r"]));
    for (const binary of binaries) {
      const mib = await waitingRss(binary);
      console.log(
        `\n${binary}: RSS of a worker waiting for its launch config ${mib > 0 ? `${mib.toFixed(1)} MiB` : "n/a (it exits: a build before the launch message)"}`,
      );
    }
  } finally {
    removeDir();
  }
}

if (import.meta.main) await main();

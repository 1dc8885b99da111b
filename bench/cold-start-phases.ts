// Cold start phase by phase: runs ./workerman-app with WORKERMAN_TRACE_START=<file> and lines up the master's and the worker's marks.
// `bun bench/cold-start-phases.ts [--runs N] [--no-memo] [binary ...]` compares builds (alternating runs, medians); bench/run.ts uses it too.
// --no-memo removes the master's memo of validated app.json texts before each start, so every start runs zod.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { markdownTable } from "./lib/markdown.ts";
import { freePorts } from "./lib/ports.ts";
import { Group, onCleanup } from "./lib/processes.ts";
import { median } from "./lib/stats.ts";

const GIVE_UP_MS = 10_000;
const MARK = /wm-start (master|worker) (\d+) at=([\d.]+) since=([\d.]+) cpu=([\d.]+) (.*)$/;

export interface Mark {
  role: "master" | "worker";
  step: string;
  /** ms from the bench's spawn of the master. */
  at: number;
  /** user + system CPU ms of that process so far. */
  cpu: number;
}

export interface Trace {
  firstResponseMs: number;
  marks: Mark[];
}

/** The one-group app every cold-start run serves: the bench's hello handler on `port`, admin on a free port. */
export function writeColdConfig(dir: string, port: number): string {
  const config = join(dir, "app.json");
  const handler = join(import.meta.dir, "app/http.ts");
  const workers = [{ name: "http", listen: `http://127.0.0.1:${port}`, handler }];
  writeFileSync(config, JSON.stringify({ name: "cold", dataDir: join(dir, "data"), admin: { listen: "127.0.0.1:0" }, workers }));
  return config;
}

/** Polls `url` every millisecond until a 200; returns the ms from `started`. */
export async function firstResponse(url: string, started: number, group: Group): Promise<number> {
  while (performance.now() - started < GIVE_UP_MS) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (group.exitCode !== null) break;
    await Bun.sleep(1);
  }
  throw new Error(`no HTTP answer within ${GIVE_UP_MS} ms:\n${group.lines.join("\n")}`);
}

/** One traced start of `binary`: the first 200's time and every mark, in ms from the spawn. */
export async function tracedStart(binary: string, config: string, port: number, cwd: string): Promise<Trace> {
  const spawnedAt = performance.timeOrigin + performance.now();
  const started = performance.now();
  // The marks go to a file, not stderr: the worker's stderr would run through the master's log pipeline meanwhile.
  const traceFile = join(cwd, "start-trace.log");
  rmSync(traceFile, { force: true });
  await using group = new Group([binary, "--config", config], { cwd, env: { WORKERMAN_TRACE_START: traceFile } });
  const firstResponseMs = await firstResponse(`http://127.0.0.1:${port}/`, started, group);
  const lines = await traceLines(traceFile, group);
  const marks: Mark[] = [];
  for (const line of lines) {
    const m = MARK.exec(line);
    if (m) marks.push({ role: m[1] as Mark["role"], step: m[6]!, at: Number(m[3]) - spawnedAt, cpu: Number(m[5]) });
  }
  return { firstResponseMs, marks };
}

/** The trace file's lines once the master's last start mark is in it. */
async function traceLines(traceFile: string, group: Group): Promise<string[]> {
  const started = performance.now();
  while (performance.now() - started < GIVE_UP_MS) {
    const lines = existsSync(traceFile) ? readFileSync(traceFile, "utf8").split("\n") : [];
    if (lines.some((line) => line.endsWith(" start table printed"))) return lines;
    if (group.exitCode !== null) break;
    await Bun.sleep(5);
  }
  throw new Error(`no "start table printed" mark in ${traceFile} within ${GIVE_UP_MS} ms:\n${group.lines.join("\n")}`);
}

/** Median of each mark over the runs: when it came (ms from exec) and the CPU its process spent since its previous mark. */
export function phaseTable(traces: Trace[]): string {
  const steps: { role: Mark["role"]; step: string }[] = [];
  for (const mark of traces[0]?.marks ?? []) steps.push({ role: mark.role, step: mark.step });
  const rows = steps.map(({ role, step }) => {
    const at: number[] = [];
    const cpu: number[] = [];
    for (const trace of traces) {
      const own = trace.marks.filter((m) => m.role === role);
      const i = own.findIndex((m) => m.step === step);
      if (i < 0) continue;
      at.push(own[i]!.at);
      cpu.push(own[i]!.cpu - (i > 0 ? own[i - 1]!.cpu : 0));
    }
    return [role, step, median(at).toFixed(1), median(cpu).toFixed(1)];
  });
  rows.sort((a, b) => Number(a[2]) - Number(b[2]));
  rows.push(["client", "first HTTP 200", median(traces.map((t) => t.firstResponseMs)).toFixed(1), ""]);
  return markdownTable(["process", "mark", "ms from exec (median)", "CPU ms since its previous mark (median)"], rows, ["l", "l", "r", "r"]);
}

/** Total CPU of the master and of the worker at their last marks (medians): the figure load on the box disturbs least. */
export function startCpu(traces: Trace[]): { master: number; worker: number } {
  const last = (trace: Trace, role: Mark["role"]) => trace.marks.filter((m) => m.role === role).at(-1)?.cpu ?? NaN;
  return { master: median(traces.map((t) => last(t, "master"))), worker: median(traces.map((t) => last(t, "worker"))) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf("--runs");
  const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 7;
  const noMemoAt = args.indexOf("--no-memo");
  if (noMemoAt >= 0) args.splice(noMemoAt, 1);
  const binaries = args.length ? args : [join(import.meta.dir, "../workerman-app")];
  const dir = mkdtempSync(join(tmpdir(), "wm-cold-phases-"));
  const removeDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const { http: port } = await freePorts(["http"]);
    // One data directory per binary: the memo of validated app.json texts is per build, so sharing one would thrash it.
    const dirs = binaries.map((_, i) => join(dir, String(i)));
    const configs = dirs.map((d) => (mkdirSync(d), writeColdConfig(d, port)));
    const traces = binaries.map(() => [] as Trace[]);
    // Round 0 warms the page cache and creates the admin token; it is not counted.
    for (let round = 0; round <= runs; round++) {
      const order = binaries.map((_, i) => i);
      for (const i of round % 2 ? order : order.reverse()) {
        if (noMemoAt >= 0) rmSync(join(dirs[i]!, "data", "config-checked.json"), { force: true });
        const trace = await tracedStart(binaries[i]!, configs[i]!, port, dirs[i]!);
        if (round > 0) traces[i]!.push(trace);
      }
    }
    for (const [i, binary] of binaries.entries()) {
      const cpu = startCpu(traces[i]!);
      console.log(`\n${binary}: ${runs} runs, CPU at the last mark: master ${cpu.master.toFixed(1)} ms, worker ${cpu.worker.toFixed(1)} ms\n`);
      console.log(phaseTable(traces[i]!));
    }
  } finally {
    removeDir();
  }
}

if (import.meta.main) await main();

// Cold start: time from exec to the first successful HTTP response, ours against a raw Bun.serve script (run and compiled),
// with the CPU every contender's processes used by then and, from traced runs of ours, where that time goes (cold-start-phases.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstResponse, phaseTable, startCpu, tracedStart, writeColdConfig, type Trace } from "./cold-start-phases.ts";
import { markdownTable } from "./lib/markdown.ts";
import { freePorts } from "./lib/ports.ts";
import { treeCpuSeconds } from "./lib/proc.ts";
import { Group, onCleanup } from "./lib/processes.ts";
import { median } from "./lib/stats.ts";

const SERVE_ONE = join(import.meta.dir, "raw/serve-one.ts");
const SERVE_BESIDE = join(import.meta.dir, "raw/serve-beside.ts");
/** The master's memo of the app.json texts it validated (src/config/validation-memo.ts). */
const MEMO_FILE = "config-checked.json";

type Contender = "ours" | "ours, new app.json" | "raw script" | "raw compiled" | "raw compiled, parent + child";

/** Milliseconds from spawn to the first 200, and the CPU ms of the whole process tree at that moment (10 ms ticks). */
async function timeToFirstResponse(argv: string[], port: number, cwd: string): Promise<{ ms: number; cpuMs: number }> {
  const started = performance.now();
  await using group = new Group(argv, { cwd });
  const ms = await firstResponse(`http://127.0.0.1:${port}/`, started, group);
  return { ms, cpuMs: treeCpuSeconds(group.pid) * 1000 };
}

/** A raw script compiled the way build.ts compiles ours (minified, bytecode), for an executable-to-executable figure. */
async function compileRaw(dir: string, entry: string, name: string): Promise<string> {
  const outfile = join(dir, name);
  const result = await Bun.build({ entrypoints: [entry], compile: { outfile }, minify: true, bytecode: true, target: "bun", format: "esm" });
  if (!result.success) throw new Error(`compiling ${entry} failed: ${result.logs.join("\n")}`);
  return outfile;
}

export interface ColdStartResult {
  contender: Contender;
  ms: number[];
  cpuMs: number[];
}

export interface ColdStart {
  results: ColdStartResult[];
  /** Traced starts of ours (WORKERMAN_TRACE_START=<file>), alternated with the others. */
  traces: Trace[];
}

export async function runColdStart(binary: string, runs: number, log: (line: string) => void): Promise<ColdStart> {
  const dir = mkdtempSync(join(tmpdir(), "wm-cold-"));
  const removeDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const { http: port } = await freePorts(["http"]);
    const config = writeColdConfig(dir, port);
    const argv: Record<Contender, string[]> = {
      ours: [binary, "--config", config],
      "ours, new app.json": [binary, "--config", config],
      "raw script": [process.execPath, SERVE_ONE, "http", String(port)],
      "raw compiled": [await compileRaw(dir, SERVE_ONE, "raw-serve-one"), "http", String(port)],
      "raw compiled, parent + child": [await compileRaw(dir, SERVE_BESIDE, "raw-serve-beside"), String(port)],
    };
    const results = (Object.keys(argv) as Contender[]).map((contender) => ({ contender, ms: [] as number[], cpuMs: [] as number[] }));
    const traces: Trace[] = [];
    // Round 0 warms the page cache, creates our admin token and the memo; it is not counted.
    for (let round = 0; round <= runs; round++) {
      for (const result of round % 2 ? results : [...results].reverse()) {
        if (result.contender === "ours, new app.json") rmSync(join(dir, "data", MEMO_FILE), { force: true });
        const run = await timeToFirstResponse(argv[result.contender], port, dir);
        if (round === 0) continue;
        result.ms.push(run.ms);
        result.cpuMs.push(run.cpuMs);
      }
      const trace = await tracedStart(binary, config, port, dir);
      if (round > 0) traces.push(trace);
    }
    for (const r of results) log(`cold start ${r.contender}: ${r.ms.map((v) => v.toFixed(1)).join(", ")} ms`);
    return { results, traces };
  } finally {
    removeDir();
  }
}

const LABELS: Record<Contender, string> = {
  ours: "ours (`./workerman-app`, master + 1 worker; app.json validated before)",
  "ours, new app.json": "ours, an app.json it has not validated before (zod runs)",
  "raw script": "raw Bun.serve (`bun serve-one.ts`)",
  "raw compiled": "raw Bun.serve, compiled like ours",
  "raw compiled, parent + child": "raw, compiled: a parent that spawns one Bun.serve child (the floor of any master + worker design)",
};

export function coldStartTable({ results }: ColdStart): string {
  const compiled = results.find((r) => r.contender === "raw compiled");
  const rows = results.map((r) => [
    LABELS[r.contender],
    `${median(r.ms).toFixed(1)} ms`,
    `${Math.min(...r.ms).toFixed(1)}-${Math.max(...r.ms).toFixed(1)} ms`,
    compiled ? `${(median(r.ms) / median(compiled.ms)).toFixed(2)}x` : "",
    `${median(r.cpuMs).toFixed(0)} ms`,
  ]);
  const header = ["exec to first HTTP 200", "median", "range", "vs raw compiled", "CPU by then, all processes (median)"];
  return markdownTable(header, rows, ["l", "r", "r", "r", "r"]);
}

/** The phase table of the traced runs, with the CPU of each process at its last mark. */
export function coldPhaseSection({ traces }: ColdStart): string[] {
  if (!traces.length) return [];
  const cpu = startCpu(traces);
  return [
    `Where ours spends it: ${traces.length} more starts with \`WORKERMAN_TRACE_START=<file>\` (each mark: ms since exec, and the CPU of that process since its previous mark), alternated with the runs above. CPU at the last mark: master ${cpu.master.toFixed(1)} ms, worker ${cpu.worker.toFixed(1)} ms.`,
    "",
    phaseTable(traces),
  ];
}

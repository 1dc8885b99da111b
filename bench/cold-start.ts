// Cold start: time from exec to the first successful HTTP response, ours against a raw Bun.serve script (run and compiled).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { markdownTable } from "./lib/markdown.ts";
import { freePorts } from "./lib/ports.ts";
import { Group, onCleanup } from "./lib/processes.ts";
import { median } from "./lib/stats.ts";

const SERVE_ONE = join(import.meta.dir, "raw/serve-one.ts");
const GIVE_UP_MS = 10_000;

type Contender = "ours" | "raw script" | "raw compiled";

/** Milliseconds from spawn to the first 200; polls every millisecond (a refused connect costs about that). */
async function timeToFirstResponse(argv: string[], port: number, cwd: string): Promise<number> {
  const url = `http://127.0.0.1:${port}/`;
  const started = performance.now();
  await using group = new Group(argv, { cwd });
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
  throw new Error(`${argv.join(" ")}: no HTTP answer within ${GIVE_UP_MS} ms:\n${group.lines.join("\n")}`);
}

/** The raw script compiled the way build.ts compiles ours (minified, bytecode), for an executable-to-executable figure. */
async function compileRaw(dir: string): Promise<string> {
  const outfile = join(dir, "raw-serve-one");
  const result = await Bun.build({ entrypoints: [SERVE_ONE], compile: { outfile }, minify: true, bytecode: true, target: "bun", format: "esm" });
  if (!result.success) throw new Error(`compiling ${SERVE_ONE} failed: ${result.logs.join("\n")}`);
  return outfile;
}

export interface ColdStartResult {
  contender: Contender;
  ms: number[];
}

export async function runColdStart(binary: string, runs: number, log: (line: string) => void): Promise<ColdStartResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "wm-cold-"));
  const removeDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const { http: port } = await freePorts(["http"]);
    const config = join(dir, "app.json");
    writeFileSync(
      config,
      JSON.stringify({
        name: "cold",
        dataDir: join(dir, "data"),
        admin: { listen: "127.0.0.1:0" },
        workers: [{ name: "http", listen: `http://127.0.0.1:${port}`, handler: join(import.meta.dir, "app/http.ts") }],
      }),
    );
    const argv: Record<Contender, string[]> = {
      ours: [binary, "--config", config],
      "raw script": [process.execPath, SERVE_ONE, "http", String(port)],
      "raw compiled": [await compileRaw(dir), "http", String(port)],
    };
    const results = (Object.keys(argv) as Contender[]).map((contender) => ({ contender, ms: [] as number[] }));
    // Round 0 warms the page cache and creates our admin token; it is not counted.
    for (let round = 0; round <= runs; round++) {
      for (const result of round % 2 ? results : [...results].reverse()) {
        const ms = await timeToFirstResponse(argv[result.contender], port, dir);
        if (round > 0) result.ms.push(ms);
      }
    }
    for (const r of results) log(`cold start ${r.contender}: ${r.ms.map((v) => v.toFixed(1)).join(", ")} ms`);
    return results;
  } finally {
    removeDir();
  }
}

export function coldStartTable(results: ColdStartResult[]): string {
  const raw = results.find((r) => r.contender === "raw script");
  const rows = results.map((r) => [
    r.contender === "ours"
      ? "ours (`./workerman-app`, master + 1 worker)"
      : r.contender === "raw script"
        ? "raw Bun.serve (`bun serve-one.ts`)"
        : "raw Bun.serve, compiled like ours",
    `${median(r.ms).toFixed(1)} ms`,
    `${Math.min(...r.ms).toFixed(1)}-${Math.max(...r.ms).toFixed(1)} ms`,
    raw ? `${(median(r.ms) / median(raw.ms)).toFixed(2)}x` : "",
  ]);
  return markdownTable(["exec to first HTTP 200", "median", "range", "vs raw script"], rows, ["l", "r", "r", "r"]);
}

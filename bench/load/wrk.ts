// Runs wrk (when installed) for one bounded HTTP measurement, optionally pipelined, and reads its summary into a LoadResult.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onCleanup, runToEnd } from "../lib/processes.ts";
import { rmSync } from "node:fs";
import type { LoadResult } from "./result.ts";

export function hasWrk(): boolean {
  return Bun.which("wrk") !== null;
}

/** TechEmpower's plaintext style: `depth` requests in one write, sent again once all are answered (wrk counts each). */
const PIPELINE_LUA = `init = function(args)
  local depth = tonumber(args[1]) or 1
  local r = {}
  for i = 1, depth do r[i] = wrk.format(nil, "/") end
  req = table.concat(r)
end
request = function() return req end
`;

let script: string | undefined;
function pipelineScript(): string {
  if (script) return script;
  const dir = mkdtempSync(join(tmpdir(), "wm-wrk-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  script = join(dir, "pipeline.lua");
  writeFileSync(script, PIPELINE_LUA);
  return script;
}

export interface WrkLoad {
  threads: number;
  connections: number;
  seconds: number;
  /** Requests per write; 1 = one request in flight per connection. */
  pipeline: number;
  /** A Lua script of one's own (bench/load/wrk-script.ts) instead of the pipeline one; pipeline must be 1. */
  script?: string;
  /** Seconds a request may take before wrk counts a timeout (default 2). */
  timeout?: number;
}

export interface WrkResult extends LoadResult {
  /** wrk's whole output, for what a script printed. */
  text: string;
}

/** wrk's time units (its format_time), in seconds. */
const UNIT_SECONDS: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Completed requests (non-2xx left out), elapsed seconds and every error wrk counted, from its summary. */
export function parseWrkSummary(text: string): LoadResult | null {
  const requests = /(\d+) requests in ([\d.]+)(us|ms|s|m|h),/.exec(text);
  if (!requests) return null;
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((n, v) => n + Number(v), 0) : 0);
  const elapsed = Number(requests[2]) * UNIT_SECONDS[requests[3]!]!;
  return { messages: Number(requests[1]) - non2xx, seconds: elapsed, errors };
}

export async function runWrk(argvPrefix: string[], port: number, load: WrkLoad, host = "127.0.0.1"): Promise<WrkResult> {
  const { threads, connections, seconds, pipeline } = load;
  const lua = load.script ? ["-s", load.script] : pipeline > 1 ? ["-s", pipelineScript()] : [];
  const timeout = String(load.timeout ?? 2);
  const argv = [...argvPrefix, "wrk", `-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--timeout", `${timeout}s`, ...lua, `http://${host}:${port}/`];
  if (pipeline > 1 && !load.script) argv.push("--", String(pipeline));
  const { code, lines } = await runToEnd(argv, (seconds + 10 + Number(timeout)) * 1000);
  const text = lines.join("\n");
  const result = parseWrkSummary(text);
  if (code !== 0 || !result) throw new Error(`wrk failed (code ${code}):\n${text}`);
  return { ...result, text };
}

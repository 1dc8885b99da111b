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
}

export async function runWrk(argvPrefix: string[], port: number, load: WrkLoad): Promise<LoadResult> {
  const { threads, connections, seconds, pipeline } = load;
  const pipelined = pipeline > 1 ? ["-s", pipelineScript()] : [];
  const argv = [...argvPrefix, "wrk", `-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--timeout", "2s", ...pipelined, `http://127.0.0.1:${port}/`];
  if (pipeline > 1) argv.push("--", String(pipeline));
  const { code, lines } = await runToEnd(argv, (seconds + 10) * 1000);
  const text = lines.join("\n");
  const requests = /(\d+) requests in ([\d.]+)(m?s)/.exec(text);
  if (code !== 0 || !requests) throw new Error(`wrk failed (code ${code}):\n${text}`);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((n, v) => n + Number(v), 0) : 0);
  const elapsed = Number(requests[2]) / (requests[3] === "ms" ? 1000 : 1);
  return { messages: Number(requests[1]) - non2xx, seconds: elapsed, errors };
}

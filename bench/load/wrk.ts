// Runs wrk (when installed) for one bounded HTTP measurement and reads its summary into a LoadResult.
import { runToEnd } from "../lib/processes.ts";
import type { LoadResult } from "./result.ts";

export function hasWrk(): boolean {
  return Bun.which("wrk") !== null;
}

export async function runWrk(argvPrefix: string[], port: number, threads: number, connections: number, seconds: number): Promise<LoadResult> {
  const argv = [...argvPrefix, "wrk", `-t${threads}`, `-c${connections}`, `-d${seconds}s`, "--timeout", "2s", `http://127.0.0.1:${port}/`];
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

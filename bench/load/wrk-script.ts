// wrk Lua scripts the HTTP benches need beyond a plain GET: a POSTed body, a stop after a fixed count, the latency tail.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onCleanup } from "../lib/processes.ts";

export interface WrkRequest {
  method: "GET" | "POST";
  path: string;
  body?: string;
  contentType?: string;
}

export interface ScriptSpec {
  request?: WrkRequest;
  /** Stop every thread once it has read this many responses (a fixed count for strace -c); one thread: the total. */
  stopAfter?: number;
  /** Print wrk's latency percentiles 90.0..100.0 in 0.1 steps (µs) after the run, for merging several wrk processes. */
  latencyCurve?: boolean;
}

const lua = (text: string) => JSON.stringify(text);

/** The Lua text for `spec`: wrk.format'ed request once in init, counted responses, the tail of the latency curve in done. */
export function wrkScript(spec: ScriptSpec): string {
  const out: string[] = [];
  const r = spec.request;
  if (r) {
    const headers = r.body === undefined ? "{}" : `{ ["Content-Type"] = ${lua(r.contentType ?? "application/json")} }`;
    // Formatted in init: wrk sets its Host header there, after the script's top level has run.
    const body = r.body === undefined ? "nil" : lua(r.body);
    out.push(`local req\ninit = function(args) req = wrk.format(${lua(r.method)}, ${lua(r.path)}, ${headers}, ${body}) end`);
    out.push("request = function() return req end");
  }
  if (spec.stopAfter !== undefined) {
    out.push("local seen = 0");
    out.push(`response = function(status, headers, body) seen = seen + 1; if seen >= ${spec.stopAfter} then wrk.thread:stop() end end`);
  }
  if (spec.latencyCurve) {
    out.push("done = function(summary, latency, requests)");
    // percentile(100) reads 0 in wrk 4.1: the last point is the maximum.
    out.push("  local parts = {}; for i = 900, 999 do parts[#parts + 1] = latency:percentile(i / 10) end; parts[#parts + 1] = latency.max");
    out.push('  io.write("latency-curve ", table.concat(parts, ","), "\\n")');
    out.push("end");
  }
  return `${out.join("\n")}\n`;
}

let dir: string | undefined;
let written = 0;
/** Writes the script to a temporary file removed when the bench exits; returns its path. */
export function writeWrkScript(spec: ScriptSpec): string {
  if (!dir) {
    const made = mkdtempSync(join(tmpdir(), "wm-wrk-script-"));
    onCleanup(() => rmSync(made, { recursive: true, force: true }));
    dir = made;
  }
  const path = join(dir, `script-${written++}.lua`);
  writeFileSync(path, wrkScript(spec));
  return path;
}

/** The 101 points (90.0%..100.0%) a latencyCurve script printed, in µs; null when the line is missing. */
export function parseLatencyCurve(text: string): number[] | null {
  const line = text.split("\n").find((l) => l.startsWith("latency-curve "));
  if (!line) return null;
  const values = line.slice("latency-curve ".length).split(",").map(Number);
  return values.length === 101 && values.every(Number.isFinite) ? values : null;
}

/**
 * The p-th percentile (90 <= p <= 100) over several wrk processes from each one's curve, weighted by its requests: the
 * smallest of their curve values at which the merged share of requests at or below it reaches p.
 */
export function mergedPercentile(runs: { requests: number; curve: number[] }[], p: number): number {
  const total = runs.reduce((n, r) => n + r.requests, 0);
  if (total === 0) return NaN;
  const share = (v: number) => runs.reduce((n, r) => n + r.requests * fractionAtOrBelow(r.curve, v), 0) / total;
  const candidates = [...new Set(runs.flatMap((r) => r.curve))].sort((a, b) => a - b);
  return candidates.find((v) => share(v) >= p / 100 - 1e-9) ?? candidates.at(-1)!;
}

/** The share of one run's requests at or below `v`, read off its curve (0.90 below the curve's start: the tail is all it has). */
function fractionAtOrBelow(curve: number[], v: number): number {
  let at = -1;
  for (let i = 0; i < curve.length; i++) if (curve[i]! <= v) at = i;
  return at < 0 ? 0.9 * Math.min(1, v / curve[0]!) : (900 + at) / 1000;
}

// Throughput, ours against raw Bun at the same process count: alternating rounds per scenario and mode, medians and ratios.
import { runWrk, hasWrk } from "./load/wrk.ts";
import { rate, type LoadResult } from "./load/result.ts";
import { LABELS, type Kind } from "./lib/kinds.ts";
import { markdownTable } from "./lib/markdown.ts";
import { treeCpuSeconds } from "./lib/proc.ts";
import { runToEnd } from "./lib/processes.ts";
import { startServer, type RunningServer, type Side } from "./lib/servers.ts";
import { compact, median, ratio } from "./lib/stats.ts";

export interface Mode {
  id: "core" | "box";
  label: string;
  count: number;
  serverPrefix: string[];
  loadPrefix: string[];
  wrkThreads: number;
}

export const MODES: Mode[] = [
  { id: "core", label: "per core", count: 1, serverPrefix: ["taskset", "-c", "0"], loadPrefix: ["taskset", "-c", "1"], wrkThreads: 1 },
  { id: "box", label: "whole box", count: 2, serverPrefix: [], loadPrefix: [], wrkThreads: 2 },
];

/** Connections (sockets for udp) and messages in flight on each: enough to keep a server busy, few enough never to overflow a queue. */
export const LOAD: Record<Kind, { connections: number; window: number }> = {
  http: { connections: 64, window: 1 },
  ws: { connections: 64, window: 8 },
  text: { connections: 64, window: 8 },
  udp: { connections: 16, window: 4 },
};
const LOAD_SCRIPT = `${import.meta.dir}/load/echo-load.ts`;
const WARMUP_SECONDS = 1;

export interface Sample {
  perSecond: number;
  /** Server CPU (every process of it, master included) over the measurement, in percent of one core. */
  cpuPercent: number;
  errors: number;
}

export interface ScenarioResult {
  mode: string;
  kind: Kind;
  ours: Sample[];
  raw: Sample[];
}

async function load(mode: Mode, kind: Kind, port: number, seconds: number): Promise<LoadResult> {
  const { connections, window } = LOAD[kind];
  if (kind === "http" && hasWrk()) return runWrk(mode.loadPrefix, port, mode.wrkThreads, connections, seconds);
  const argv = [...mode.loadPrefix, process.execPath, LOAD_SCRIPT, kind, String(port), String(connections), String(window), String(seconds)];
  const { code, lines } = await runToEnd(argv, (seconds + 15) * 1000);
  const json = lines.find((line) => line.startsWith("{"));
  if (code !== 0 || !json) throw new Error(`load ${kind} failed (code ${code}):\n${lines.join("\n")}`);
  return JSON.parse(json) as LoadResult;
}

export async function measure(mode: Mode, server: RunningServer, kind: Kind, seconds: number): Promise<Sample> {
  const cpuBefore = treeCpuSeconds(server.root);
  const result = await load(mode, kind, server.ports[kind], seconds);
  const cpu = treeCpuSeconds(server.root) - cpuBefore;
  return { perSecond: rate(result), cpuPercent: (cpu / result.seconds) * 100, errors: result.errors };
}

export interface ThroughputOptions {
  binary: string;
  seconds: number;
  rounds: number;
  kinds: readonly Kind[];
  modes: readonly Mode["id"][];
  log: (line: string) => void;
}

async function runMode(mode: Mode, options: ThroughputOptions): Promise<ScenarioResult[]> {
  const spec = { binary: options.binary, kinds: options.kinds, count: mode.count, prefix: mode.serverPrefix };
  const servers: Partial<Record<Side, RunningServer>> = {};
  try {
    servers.ours = await startServer("ours", spec);
    servers.raw = await startServer("raw", spec);
    const results: ScenarioResult[] = [];
    for (const kind of options.kinds) {
      for (const side of ["ours", "raw"] as const) await measure(mode, servers[side]!, kind, WARMUP_SECONDS);
      const result: ScenarioResult = { mode: mode.label, kind, ours: [], raw: [] };
      for (let round = 0; round < options.rounds; round++) {
        // ours, raw, raw, ours, ...: a drift in the machine's load hits both sides alike.
        const order: Side[] = round % 2 === 0 ? ["ours", "raw"] : ["raw", "ours"];
        for (const side of order) {
          const sample = await measure(mode, servers[side]!, kind, options.seconds);
          result[side].push(sample);
          options.log(`${mode.label} ${kind} round ${round + 1} ${side}: ${compact(sample.perSecond)}/s, server CPU ${sample.cpuPercent.toFixed(0)}%, errors ${sample.errors}`);
        }
      }
      results.push(result);
    }
    return results;
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  }
}

export async function runThroughput(options: ThroughputOptions): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const mode of MODES.filter((m) => options.modes.includes(m.id))) results.push(...(await runMode(mode, options)));
  return results;
}

const med = (samples: Sample[], key: keyof Sample) => median(samples.map((s) => s[key]));

export function throughputTable(results: ScenarioResult[]): string {
  const rows = results.map((r) => {
    const [ours, raw] = [med(r.ours, "perSecond"), med(r.raw, "perSecond")];
    // Work per CPU second: less sensitive than raw throughput to other tenants of a shared machine.
    const [oursEff, rawEff] = [ours / (med(r.ours, "cpuPercent") / 100), raw / (med(r.raw, "cpuPercent") / 100)];
    const errors = [...r.ours, ...r.raw].reduce((n, s) => n + s.errors, 0);
    return [
      LABELS[r.kind],
      r.mode,
      `${compact(ours)}/s`,
      `${compact(raw)}/s`,
      `**${ratio(ours, raw)}**`,
      `${med(r.ours, "cpuPercent").toFixed(0)}% / ${med(r.raw, "cpuPercent").toFixed(0)}%`,
      ratio(oursEff, rawEff),
      String(errors),
    ];
  });
  return markdownTable(
    ["scenario", "mode", "ours (median)", "raw Bun (median)", "ratio", "server CPU ours / raw", "ratio per CPU-second", "errors"],
    rows,
    ["l", "l", "r", "r", "r", "r", "r", "r"],
  );
}


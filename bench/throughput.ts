// Throughput and server CPU per request, ours against raw Bun at the same process count: alternating rounds, medians, ratios.
import { runWrk, hasWrk } from "./load/wrk.ts";
import { rate, type LoadResult } from "./load/result.ts";
import { LABELS, type Kind } from "./lib/kinds.ts";
import { markdownTable } from "./lib/markdown.ts";
import { cpuSeconds, treeCpuSeconds } from "./lib/proc.ts";
import { runToEnd } from "./lib/processes.ts";
import { startServer, type RunningServer, type Side } from "./lib/servers.ts";
import { startWorkerman, WORKERMAN_KINDS } from "./lib/workerman.ts";
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

/** One measured workload: a server kind and how the load drives it. */
export interface Scenario {
  kind: Kind;
  label: string;
  /** Connections (sockets for udp). */
  connections: number;
  /** Messages in flight per connection; for HTTP the requests written at once (pipelined when > 1). */
  window: number;
}

const PIPELINE = 16;

/** Enough in flight to keep a server busy, few enough never to overflow a queue. */
export const SCENARIOS: Scenario[] = [
  { kind: "http", label: LABELS.http, connections: 64, window: 1 },
  { kind: "http", label: `${LABELS.http}, ${PIPELINE} pipelined`, connections: 16, window: PIPELINE },
  { kind: "routes", label: LABELS.routes, connections: 64, window: 1 },
  { kind: "routes", label: `${LABELS.routes}, ${PIPELINE} pipelined`, connections: 16, window: PIPELINE },
  { kind: "ws", label: LABELS.ws, connections: 64, window: 8 },
  // Per framed protocol: 8 in flight, then one: a chunk holds exactly one packet and every reply is its own write(2), as a device's request/reply.
  ...(["text", "frame", "json"] as const).flatMap((kind): Scenario[] => [
    { kind, label: LABELS[kind], connections: 64, window: 8 },
    { kind, label: `${LABELS[kind]}, one at a time`, connections: 64, window: 1 },
  ]),
  { kind: "udp", label: LABELS.udp, connections: 16, window: 4 },
];
const LOAD_SCRIPT = `${import.meta.dir}/load/echo-load.ts`;
const WARMUP_SECONDS = 1;

export interface Sample {
  perSecond: number;
  /** Server CPU (every process of it, master included) over the measurement, in percent of one core. */
  cpuPercent: number;
  /** Server CPU per completed request or message, in microseconds. */
  cpuMicros: number;
  /** The same for the serving processes alone (our workers of the group, raw Bun's children): no master, no parent. */
  workerMicros: number;
  errors: number;
}

export interface ScenarioResult {
  mode: string;
  scenario: Scenario;
  ours: Sample[];
  raw: Sample[];
  /** Workerman 5 on php-cli, for the HTTP fetch, text, frame and json scenarios when `--workerman` is given. */
  workerman?: Sample[];
}

type Contender = Side | "workerman";

const isHttp = (kind: Kind) => kind === "http" || kind === "routes";
/** The framed protocols over TCP: ours itself is what is set against Workerman (no routes counterpart). */
const isStream = (kind: Kind) => kind === "text" || kind === "frame" || kind === "json";

async function load(mode: Mode, scenario: Scenario, port: number, seconds: number): Promise<LoadResult> {
  const { kind, connections, window } = scenario;
  if (isHttp(kind) && hasWrk()) return runWrk(mode.loadPrefix, port, { threads: mode.wrkThreads, connections, seconds, pipeline: window });
  const argv = [
    ...mode.loadPrefix,
    process.execPath,
    LOAD_SCRIPT,
    isHttp(kind) ? "http" : kind,
    String(port),
    String(connections),
    String(window),
    String(seconds),
  ];
  const { code, lines } = await runToEnd(argv, (seconds + 15) * 1000);
  const json = lines.find((line) => line.startsWith("{"));
  if (code !== 0 || !json) throw new Error(`load ${kind} failed (code ${code}):\n${lines.join("\n")}`);
  return JSON.parse(json) as LoadResult;
}

/** Reads the server's CPU time (/proc/<pid>/stat, every process of its tree) before and after one bounded load. */
export async function measure(mode: Mode, server: RunningServer, scenario: Scenario, seconds: number): Promise<Sample> {
  const workers = server.workers[scenario.kind] ?? [];
  const workerCpu = () => workers.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const [cpuBefore, workerBefore] = [treeCpuSeconds(server.root), workerCpu()];
  const result = await load(mode, scenario, server.ports[scenario.kind], seconds);
  const [cpu, worker] = [treeCpuSeconds(server.root) - cpuBefore, workerCpu() - workerBefore];
  const per = (seconds: number) => (seconds * 1e6) / Math.max(1, result.messages);
  return { perSecond: rate(result), cpuPercent: (cpu / result.seconds) * 100, cpuMicros: per(cpu), workerMicros: per(worker), errors: result.errors };
}

export interface ThroughputOptions {
  binary: string;
  seconds: number;
  rounds: number;
  kinds: readonly Kind[];
  modes: readonly Mode["id"][];
  /** The src/ folder of a walkor/workerman checkout: adds Workerman to the HTTP fetch, text, frame and json scenarios. */
  workerman?: string;
  log: (line: string) => void;
}

async function runMode(mode: Mode, options: ThroughputOptions): Promise<ScenarioResult[]> {
  const spec = { binary: options.binary, kinds: options.kinds, count: mode.count, prefix: mode.serverPrefix };
  const servers: Partial<Record<Contender, RunningServer>> = {};
  try {
    servers.ours = await startServer("ours", spec);
    servers.raw = await startServer("raw", spec);
    const withWorkerman = (kind: Kind) => (WORKERMAN_KINDS as readonly Kind[]).includes(kind);
    if (options.workerman && options.kinds.some(withWorkerman)) servers.workerman = await startWorkerman(spec, options.workerman);
    const results: ScenarioResult[] = [];
    for (const scenario of SCENARIOS.filter((s) => options.kinds.includes(s.kind))) {
      const sides: Contender[] = servers.workerman && withWorkerman(scenario.kind) ? ["ours", "raw", "workerman"] : ["ours", "raw"];
      for (const side of sides) await measure(mode, servers[side]!, scenario, WARMUP_SECONDS);
      const result: ScenarioResult = { mode: mode.label, scenario, ours: [], raw: [], ...(sides.length > 2 ? { workerman: [] } : {}) };
      for (let round = 0; round < options.rounds; round++) {
        // ours, raw, raw, ours, ...: a drift in the machine's load hits both sides alike.
        const order = round % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          const s = await measure(mode, servers[side]!, scenario, options.seconds);
          result[side]!.push(s);
          options.log(
            `${mode.label} ${scenario.label} round ${round + 1} ${side}: ${compact(s.perSecond)}/s, ${s.cpuMicros.toFixed(2)} µs CPU each (workers ${s.workerMicros.toFixed(2)}), server CPU ${s.cpuPercent.toFixed(0)}%, errors ${s.errors}`,
          );
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

/** Workerman against the same fetch scenarios (req/s and server CPU per request), when it was measured. */
export function workermanTable(results: ScenarioResult[]): string | null {
  const rows = results.flatMap((r) => {
    if (!r.workerman?.length) return [];
    // HTTP: ours through native routes is the figure set against Workerman; text, frame, json: ours itself.
    const routes = isStream(r.scenario.kind)
      ? r
      : results.find((x) => x.mode === r.mode && x.scenario.kind === "routes" && x.scenario.window === r.scenario.window);
    const cell = (samples: Sample[] | undefined) =>
      samples?.length ? `${compact(med(samples, "perSecond"))}/s, ${med(samples, "cpuMicros").toFixed(2)} µs` : "n/a";
    const wm = med(r.workerman, "perSecond");
    const wmCpu = med(r.workerman, "cpuMicros");
    return [
      [
        r.scenario.label.replace(" (fetch)", ""),
        r.mode,
        cell(r.workerman),
        cell(r.ours),
        isStream(r.scenario.kind) ? "n/a" : cell(routes?.ours),
        routes ? `**${ratio(med(routes.ours, "perSecond"), wm)}**` : "n/a",
        routes ? `**${ratio(wmCpu, med(routes.ours, "cpuMicros"))}**` : "n/a",
      ],
    ];
  });
  if (rows.length === 0) return null;
  return markdownTable(
    [
      "scenario",
      "mode",
      "Workerman 5 (php-cli, select)",
      "ours (HTTP: fetch)",
      "ours, routes",
      "ours (HTTP: routes) / Workerman, per s",
      "Workerman CPU / ours (HTTP: routes) CPU, each",
    ],
    rows,
    ["l", "l", "r", "r", "r", "r", "r"],
  );
}

export function throughputTable(results: ScenarioResult[]): string {
  const rows = results.map((r) => {
    const [ours, raw] = [med(r.ours, "perSecond"), med(r.raw, "perSecond")];
    const [oursCpu, rawCpu] = [med(r.ours, "cpuMicros"), med(r.raw, "cpuMicros")];
    const [oursWorker, rawWorker] = [med(r.ours, "workerMicros"), med(r.raw, "workerMicros")];
    const errors = [...r.ours, ...r.raw].reduce((n, s) => n + s.errors, 0);
    return [
      r.scenario.label,
      r.mode,
      `${compact(ours)}/s`,
      `${compact(raw)}/s`,
      `**${ratio(ours, raw)}**`,
      `${oursCpu.toFixed(2)} / ${rawCpu.toFixed(2)}`,
      `**${ratio(oursCpu, rawCpu)}**`,
      `${oursWorker.toFixed(2)} / ${rawWorker.toFixed(2)} (${ratio(oursWorker, rawWorker)})`,
      `${med(r.ours, "cpuPercent").toFixed(0)}% / ${med(r.raw, "cpuPercent").toFixed(0)}%`,
      String(errors),
    ];
  });
  return markdownTable(
    [
      "scenario",
      "mode",
      "ours (median)",
      "raw Bun (median)",
      "ratio",
      "server CPU µs per request, ours / raw",
      "CPU ratio (lower is better)",
      "serving processes only: µs ours / raw (ratio)",
      "server CPU ours / raw",
      "errors",
    ],
    rows,
    ["l", "l", "r", "r", "r", "r", "r", "r", "r", "r"],
  );
}

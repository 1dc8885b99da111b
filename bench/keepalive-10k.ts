// 10,000 concurrent keep-alive connections against a 2-process HTTP hello (ours, raw Bun with reusePort, Workerman): several
// wrk processes share the connections; requests per second summed, p99 merged from their latency curves, sockets held counted.
import { fdLimit } from "./lib/fd-limit.ts";
import { markdownTable } from "./lib/markdown.ts";
import { startWorkermanHttp } from "./lib/php-server.ts";
import { treeCpuSeconds } from "./lib/proc.ts";
import { runToEnd } from "./lib/processes.ts";
import { startServer, type RunningServer } from "./lib/servers.ts";
import { compact, median } from "./lib/stats.ts";
import { runWrk, type WrkResult } from "./load/wrk.ts";
import { mergedPercentile, parseLatencyCurve, writeWrkScript } from "./load/wrk-script.ts";
import type { Contender } from "./http-realistic.ts";

const SERVER_PROCESSES = 2;
/** wrk processes (one thread each) the connections are spread over: one wrk thread drives a few thousand sockets well. */
const WRK_PROCESSES = 4;
/** Seconds a request may wait before wrk counts a timeout: 10,000 in flight on 2 cores queue for tens of milliseconds. */
const WRK_TIMEOUT_SECONDS = 5;

export interface KeepAliveOptions {
  binary: string;
  connections: number;
  seconds: number;
  rounds: number;
  workerman?: string;
  log: (line: string) => void;
}

export interface KeepAliveSample {
  perSecond: number;
  p99Ms: number;
  /** Established connections on the server's port late in the run (ss), out of `connections`. */
  held: number;
  /** Of those, the ones the server had answered at least once (a descriptor its event loop never watches gets nothing). */
  answered: number;
  cpuMicros: number;
  errors: number;
  /** What the server printed that explains a failure (Workerman's select warning). */
  note?: string;
}

export interface KeepAliveResult {
  connections: number;
  samples: Partial<Record<Contender, KeepAliveSample[]>>;
}

/** `total` connections over `parts` processes, as evenly as whole numbers allow. */
export function spreadConnections(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/** Established connections on `port` (the server's side of each), and how many of them the server has answered at least once. */
async function established(port: number): Promise<{ held: number; answered: number }> {
  const { lines } = await runToEnd(["ss", "-Htni", "state", "established", `( sport = :${port} )`], 30_000);
  return countAnswered(lines);
}

/** `ss -Htni` prints each socket as its address line and then an indented tcp_info line (bytes_sent only once above 0). */
export function countAnswered(lines: string[]): { held: number; answered: number } {
  const info = lines.filter((l) => /^\s/.test(l));
  const held = lines.filter((l) => /^\d/.test(l)).length;
  return { held, answered: info.filter((l) => Number(/bytes_sent:(\d+)/.exec(l)?.[1] ?? 0) > 0).length };
}

async function start(side: Contender, options: KeepAliveOptions, prefix: string[]): Promise<RunningServer & { lines?: string[] }> {
  if (side === "workerman") return startWorkermanHttp({ src: options.workerman!, kind: "http", count: SERVER_PROCESSES, prefix });
  return startServer(side, { binary: options.binary, kinds: ["http"], count: SERVER_PROCESSES, prefix });
}

/** A fresh server, the wrk processes at once, the sockets counted halfway; the server stopped before the next contender. */
async function measureOnce(side: Contender, options: KeepAliveOptions): Promise<KeepAliveSample> {
  const limit = fdLimit();
  const server = await start(side, options, limit.prefix);
  try {
    const port = server.ports.http;
    const script = writeWrkScript({ latencyCurve: true });
    const cpuBefore = treeCpuSeconds(server.root);
    const shares = spreadConnections(options.connections, WRK_PROCESSES);
    const loads = shares.map((connections) =>
      runWrk(limit.prefix, port, { threads: 1, connections, seconds: options.seconds, pipeline: 1, script, timeout: WRK_TIMEOUT_SECONDS }),
    );
    // Late in the run: a connection still unanswered then was never served, not merely slow to connect.
    await Bun.sleep(options.seconds * 800);
    const { held, answered } = await established(port);
    const settled = await Promise.allSettled(loads);
    // A wrk that failed outright (every connection refused or reset) counts all its connections as errors, not as a crash.
    const runs: WrkResult[] = settled.map((s, i) => (s.status === "fulfilled" ? s.value : failedRun(shares[i]!, s.reason)));
    const cpu = treeCpuSeconds(server.root) - cpuBefore;
    const requests = runs.reduce((n, r) => n + r.messages, 0);
    const curves = runs.map((r) => ({ requests: r.messages, curve: parseLatencyCurve(r.text) ?? [NaN] }));
    const note = serverNote(server);
    return {
      perSecond: runs.reduce((n, r) => n + r.messages / r.seconds, 0),
      p99Ms: mergedPercentile(curves, 99) / 1000,
      held,
      answered,
      cpuMicros: (cpu * 1e6) / Math.max(1, requests),
      errors: runs.reduce((n, r) => n + r.errors, 0),
      ...(note ? { note } : {}),
    };
  } finally {
    await server.stop();
  }
}

function failedRun(connections: number, reason: unknown): WrkResult {
  return { messages: 0, seconds: 1, errors: connections, text: String(reason) };
}

/** Workerman's own word on why it stalls: its select loop's warning past 1024 descriptors. */
function serverNote(server: RunningServer & { lines?: string[] }): string | undefined {
  return server.lines?.find((l) => /maximum number of connections|FD_SETSIZE/.test(l))?.trim();
}

export async function runKeepAlive(options: KeepAliveOptions): Promise<KeepAliveResult> {
  const sides: Contender[] = options.workerman ? ["ours", "raw", "workerman"] : ["ours", "raw"];
  const result: KeepAliveResult = { connections: options.connections, samples: Object.fromEntries(sides.map((s) => [s, []])) };
  for (let round = 0; round < options.rounds; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const s = await measureOnce(side, options);
      result.samples[side]!.push(s);
      options.log(
        `keep-alive x${options.connections} round ${round + 1} ${side}: ${compact(s.perSecond)}/s, p99 ${s.p99Ms.toFixed(1)} ms, held ${s.held}, answered ${s.answered}, ${s.cpuMicros.toFixed(2)} µs CPU each, errors ${s.errors}${s.note ? ` (${s.note})` : ""}`,
      );
    }
  }
  return result;
}

/** Workerman picks epoll through ext-event when php-cli has it, else its select loop (FD_SETSIZE: 1,024 descriptors). */
function workermanLoop(): string {
  const modules = Bun.spawnSync(["php", "-m"], { stdout: "pipe", stderr: "ignore" }).stdout.toString();
  return /^event$/m.test(modules) ? "ext-event loop" : "select loop, no ext-event";
}

function label(side: Contender): string {
  if (side === "ours") return "ours (http group, count 2)";
  if (side === "raw") return "raw Bun (2 reusePort processes)";
  return `Workerman 5 (count 2, ${workermanLoop()})`;
}

/** The errors cell: the count, and why when the server left connections unanswered. */
function errorsCell(samples: KeepAliveSample[], held: number, answered: number): string {
  const errors = samples.reduce((n, s) => n + s.errors, 0);
  const why = [
    samples.find((s) => s.note)?.note,
    answered < held ? `${(held - answered).toLocaleString("en")} connections held but never answered` : undefined,
  ];
  const said = why.filter(Boolean).join("; ");
  return said ? `${errors} (${said})` : String(errors);
}

export function keepAliveTable(result: KeepAliveResult): string {
  const rows = (Object.entries(result.samples) as [Contender, KeepAliveSample[]][]).map(([side, samples]) => {
    const med = (key: "perSecond" | "p99Ms" | "cpuMicros" | "held" | "answered") => median(samples.map((s) => s[key]));
    return [
      label(side),
      `${compact(med("perSecond"))}/s`,
      Number.isFinite(med("p99Ms")) ? `${med("p99Ms").toFixed(1)} ms` : "n/a",
      `${Math.round(med("held")).toLocaleString("en")} / ${Math.round(med("answered")).toLocaleString("en")} of ${result.connections.toLocaleString("en")}`,
      `${med("cpuMicros").toFixed(2)} µs`,
      errorsCell(samples, Math.round(med("held")), Math.round(med("answered"))),
    ];
  });
  return markdownTable(["server", "requests (median)", "p99 latency", "connections held / answered", "server CPU each", "errors"], rows, [
    "l",
    "r",
    "r",
    "r",
    "r",
    "l",
  ]);
}

export function keepAliveSection(result: KeepAliveResult | undefined, rounds: number, seconds: number): string[] {
  if (!result) return [];
  return [
    "",
    `### ${result.connections.toLocaleString("en")} concurrent keep-alive connections`,
    "",
    `HTTP hello through \`fetch\`, 2 server processes, ${WRK_PROCESSES} wrk processes (one thread each) sharing the connections, one request in flight on each, ` +
      `${seconds} s per run, a fresh server each run, ${rounds} alternating rounds, medians. p99 is merged from each wrk's latency curve (90th to 100th percentile), ` +
      "weighted by its requests; connections held are the established sockets on the server's port at 80% of the run, answered those with a byte sent by the server (\`ss -ti\`: bytes_sent).",
    "",
    keepAliveTable(result),
  ];
}

// The realistic HTTP rows: a JSON order POSTed through a three-route router, ours (Hono via fetch) against raw Bun (the same
// Hono app) and Workerman (a plain PHP router), one request in flight per connection, alternating rounds, medians.
import { ORDER_BODY } from "./app/realistic-app.ts";
import { markdownTable } from "./lib/markdown.ts";
import { startWorkermanHttp } from "./lib/php-server.ts";
import { cpuSeconds, treeCpuSeconds } from "./lib/proc.ts";
import { startServer, type RunningServer } from "./lib/servers.ts";
import { compact, median, ratio } from "./lib/stats.ts";
import { rate } from "./load/result.ts";
import { runWrk } from "./load/wrk.ts";
import { writeWrkScript, type WrkRequest } from "./load/wrk-script.ts";
import { MODES, type Mode, type Sample } from "./throughput.ts";

export type Contender = "ours" | "raw" | "workerman";
export const REALISTIC_REQUEST: WrkRequest = { method: "POST", path: "/orders", body: ORDER_BODY };
/** What every contender must answer to the measured request (checked before measuring). */
export const EXPECTED_ANSWER = { customer: "c-1042", items: 3, total: 55.75 };
const CONNECTIONS = 64;
const WARMUP_SECONDS = 1;

export interface RealisticResult {
  mode: string;
  samples: Partial<Record<Contender, Sample[]>>;
}

export interface RealisticOptions {
  binary: string;
  seconds: number;
  rounds: number;
  modes: readonly Mode["id"][];
  workerman?: string;
  log: (line: string) => void;
}

/** The three routes answer as the Hono app does: a contender that answers otherwise is not measured. */
export async function checkRealistic(port: number, who: string): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  const post = await fetch(`${base}/orders`, { method: "POST", headers: { "Content-Type": "application/json" }, body: ORDER_BODY });
  const answer = await post.json().catch(() => null);
  const user = await fetch(`${base}/users/7`).then((r) => r.json());
  const health = await fetch(`${base}/health`).then((r) => r.text());
  const ok =
    post.status === 201 &&
    post.headers.get("content-type")?.startsWith("application/json") &&
    JSON.stringify(answer) === JSON.stringify(EXPECTED_ANSWER) &&
    JSON.stringify(user) === JSON.stringify({ id: "7", name: "Ada" }) &&
    health === "ok";
  if (!ok)
    throw new Error(
      `${who}: the realistic routes answer differently (POST /orders ${post.status} ${JSON.stringify(answer)}, /users/7 ${JSON.stringify(user)}, /health ${health})`,
    );
}

/** One bounded wrk run of the JSON POST, with the server's CPU time read before and after. */
export async function measureRealistic(mode: Mode, server: RunningServer, seconds: number, script: string): Promise<Sample> {
  const workers = server.workers.realistic ?? [];
  const workerCpu = () => workers.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const [cpuBefore, workerBefore] = [treeCpuSeconds(server.root), workerCpu()];
  const load = { threads: mode.wrkThreads, connections: CONNECTIONS, seconds, pipeline: 1, script };
  const result = await runWrk(mode.loadPrefix, server.ports.realistic, load);
  const [cpu, worker] = [treeCpuSeconds(server.root) - cpuBefore, workerCpu() - workerBefore];
  const per = (s: number) => (s * 1e6) / Math.max(1, result.messages);
  return { perSecond: rate(result), cpuPercent: (cpu / result.seconds) * 100, cpuMicros: per(cpu), workerMicros: per(worker), errors: result.errors };
}

async function startAll(mode: Mode, options: RealisticOptions): Promise<Partial<Record<Contender, RunningServer>>> {
  const spec = { binary: options.binary, kinds: ["realistic"] as const, count: mode.count, prefix: mode.serverPrefix };
  const servers: Partial<Record<Contender, RunningServer>> = {};
  try {
    servers.ours = await startServer("ours", spec);
    servers.raw = await startServer("raw", spec);
    if (options.workerman)
      servers.workerman = await startWorkermanHttp({ src: options.workerman, kind: "realistic", count: mode.count, prefix: mode.serverPrefix });
    for (const [who, server] of Object.entries(servers)) await checkRealistic(server.ports.realistic, who);
    return servers;
  } catch (err) {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
    throw err;
  }
}

async function runMode(mode: Mode, options: RealisticOptions): Promise<RealisticResult> {
  const servers = await startAll(mode, options);
  const script = writeWrkScript({ request: REALISTIC_REQUEST });
  try {
    const sides = Object.keys(servers) as Contender[];
    for (const side of sides) await measureRealistic(mode, servers[side]!, WARMUP_SECONDS, script);
    const result: RealisticResult = { mode: mode.label, samples: Object.fromEntries(sides.map((s) => [s, []])) };
    for (let round = 0; round < options.rounds; round++) {
      // ours, raw, workerman, workerman, raw, ours, ...: a drift in the machine's load hits every side alike.
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        const s = await measureRealistic(mode, servers[side]!, options.seconds, script);
        result.samples[side]!.push(s);
        options.log(
          `${mode.label} realistic round ${round + 1} ${side}: ${compact(s.perSecond)}/s, ${s.cpuMicros.toFixed(2)} µs CPU each (workers ${s.workerMicros.toFixed(2)}), errors ${s.errors}`,
        );
      }
    }
    return result;
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
}

export async function runRealistic(options: RealisticOptions): Promise<RealisticResult[]> {
  const results: RealisticResult[] = [];
  for (const mode of MODES.filter((m) => options.modes.includes(m.id))) results.push(await runMode(mode, options));
  return results;
}

const med = (samples: Sample[] | undefined, key: keyof Sample) => (samples?.length ? median(samples.map((s) => s[key])) : NaN);

export function realisticTable(results: RealisticResult[]): string {
  const rows = results.map(({ mode, samples }) => {
    const rps = (c: Contender) => med(samples[c], "perSecond");
    const cpu = (c: Contender) => med(samples[c], "cpuMicros");
    const cell = (c: Contender) => (samples[c] ? `${compact(rps(c))}/s, ${cpu(c).toFixed(2)} µs` : "not run (no --workerman)");
    const errors = Object.values(samples).reduce((n, list) => n + list.reduce((m, s) => m + s.errors, 0), 0);
    return [
      mode,
      cell("ours"),
      cell("raw"),
      cell("workerman"),
      `**${ratio(rps("ours"), rps("raw"))}** / **${ratio(rps("ours"), rps("workerman"))}**`,
      `${ratio(cpu("ours"), cpu("raw"))} / ${ratio(cpu("ours"), cpu("workerman"))}`,
      String(errors),
    ];
  });
  return markdownTable(
    [
      "mode",
      "ours (Hono via fetch)",
      "raw Bun (same Hono app)",
      "Workerman 5 (PHP router)",
      "ours / raw, ours / Workerman (per s)",
      "CPU each: ours / raw, ours / Workerman",
      "errors",
    ],
    rows,
    ["l", "r", "r", "r", "r", "r", "r"],
  );
}

/** The report's section (bench/report.ts). */
export function realisticSection(results: RealisticResult[] | undefined): string[] {
  if (!results?.length) return [];
  return [
    "",
    "### HTTP realistic handler: a JSON POST through a three-route router",
    "",
    `\`POST /orders\` with a 3-line JSON order (${ORDER_BODY.length} bytes), parsed, checked, totalled and answered as JSON (201), the third of three routes ` +
      "(`GET /health`, `GET /users/:id`, `POST /orders`): ours and raw Bun run the same Hono app (bench/app/realistic-app.ts) through `fetch`, " +
      "Workerman a plain PHP router doing the same (bench/raw/realistic-workerman.php). wrk, 64 connections, one request in flight each; " +
      "each cell: requests per second and server CPU µs per request, medians of the alternating rounds.",
    "",
    realisticTable(results),
  ];
}

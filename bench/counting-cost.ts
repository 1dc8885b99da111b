// What the traffic counting costs (`bun bench/counting-cost.ts`): server CPU per request, counted against WORKERMAN_BENCH_UNCOUNTED=1, alternating rounds.
import { readFileSync } from "node:fs";
import { snapshotBinary } from "./lib/binary.ts";
import { markdownTable } from "./lib/markdown.ts";
import { startOurs, type RunningServer } from "./lib/servers.ts";
import { countedAnswer, HttpCounting } from "../src/worker/http-counting.ts";
import { compact, median } from "./lib/stats.ts";
import { measure, MODES, SCENARIOS, type Sample, type Scenario } from "./throughput.ts";
import { runMain } from "./lib/run-main.ts";

const log = (line: string) => console.error(`[counting] ${line}`);
/**
 * The worker-side switch (src/worker/traffic-report.ts): by default no http timing, no lag timer and send() counts
 * nothing; `--without http|lag|send` turns only that part off, to tell the parts' costs apart.
 */
const WITHOUT = process.argv.includes("--without") ? process.argv[process.argv.indexOf("--without") + 1]! : "1";
const UNCOUNTED = { WORKERMAN_BENCH_UNCOUNTED: WITHOUT };

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

type Side = "counted" | "uncounted";

/**
 * With `--together` both servers share core 0 and are loaded in the same seconds (each by its own load process on
 * core 1): the VM's swings (steal, frequency) then hit both sides of a pair alike, where alternating rounds cannot.
 */
const together = process.argv.includes("--together");

async function measureScenario(servers: Record<Side, RunningServer>, scenario: Scenario, seconds: number, rounds: number) {
  const mode = MODES.find((m) => m.id === "core")!;
  const samples: Record<Side, Sample[]> = { counted: [], uncounted: [] };
  for (const side of ["counted", "uncounted"] as const) await measure(mode, servers[side], scenario, 1);
  for (let round = 0; round < rounds; round++) {
    // counted, uncounted, uncounted, counted, ...: a drift in the shared machine's load hits both alike.
    const order: Side[] = round % 2 === 0 ? ["counted", "uncounted"] : ["uncounted", "counted"];
    const measured = together
      ? await Promise.all(order.map((side) => measure(mode, servers[side], scenario, seconds)))
      : await inTurn(order, (side) => measure(mode, servers[side], scenario, seconds));
    order.forEach((side, i) => {
      const s = measured[i]!;
      samples[side].push(s);
      log(`${scenario.label} round ${round + 1} ${side}: ${compact(s.perSecond)}/s, workers ${s.workerMicros.toFixed(3)} µs CPU each, load ${loadAverage()}`);
    });
  }
  return samples;
}

async function inTurn<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

function row(scenario: Scenario, samples: Record<Side, Sample[]>): string[] {
  const med = (side: Side, key: keyof Sample) => median(samples[side].map((s) => s[key]));
  const cost = (key: keyof Sample) => `${(((med("counted", key) - med("uncounted", key)) / med("uncounted", key)) * 100).toFixed(1)}%`;
  // Each round's pair, for the spread: the median of the per-round differences says more than one ratio of medians.
  const pairs = samples.counted.map((s, i) => ((s.workerMicros - samples.uncounted[i]!.workerMicros) / samples.uncounted[i]!.workerMicros) * 100);
  return [
    scenario.label,
    `${med("counted", "workerMicros").toFixed(3)} / ${med("uncounted", "workerMicros").toFixed(3)}`,
    `**${cost("workerMicros")}**`,
    `${median(pairs).toFixed(1)}% (${Math.min(...pairs).toFixed(1)}% .. ${Math.max(...pairs).toFixed(1)}%)`,
    `${med("counted", "cpuMicros").toFixed(3)} / ${med("uncounted", "cpuMicros").toFixed(3)} (${cost("cpuMicros")})`,
    `${compact(med("counted", "perSecond"))}/s / ${compact(med("uncounted", "perSecond"))}/s`,
  ];
}

/**
 * The http path's added code alone, in this process: a hello Response with and without countedAnswer around it, in
 * alternating batches. End-to-end rounds on a shared box swing by more than the 2% looked for; this figure does not.
 */
function addedPerRequest(): { plain: number; added: number } {
  const answer = () => new Response("Hello, World!");
  const counted = countedAnswer(new HttpCounting(), answer);
  const request = new Request("http://127.0.0.1/");
  const batch = (fn: (r: Request, s: never) => Response | Promise<Response>) => {
    const started = performance.now();
    for (let i = 0; i < 500_000; i++) fn(request, undefined as never);
    return ((performance.now() - started) * 1000) / 500_000;
  };
  const plain: number[] = [];
  const added: number[] = [];
  for (let i = 0; i < 9; i++) {
    const [p, c] = i % 2 ? [batch(answer), batch(counted)] : [batch(counted), batch(answer)].reverse();
    plain.push(p!);
    added.push(c! - p!);
  }
  return { plain: median(plain), added: median(added) };
}

async function main(): Promise<void> {
  const seconds = option("seconds", 2);
  const rounds = option("rounds", 6);
  const { path: binary, build } = await snapshotBinary(process.argv.includes("--build"), log);
  const kinds = WITHOUT === "http" || WITHOUT === "lag" ? (["http"] as const) : (["http", "ws"] as const);
  const spec = { binary, kinds, count: 1, prefix: MODES.find((m) => m.id === "core")!.serverPrefix };
  const startLoad = loadAverage();
  const servers = { counted: await startOurs(spec), uncounted: await startOurs({ ...spec, env: UNCOUNTED }) };
  const rows: string[][] = [];
  try {
    for (const scenario of SCENARIOS.filter((s) => (kinds as readonly string[]).includes(s.kind))) {
      rows.push(row(scenario, await measureScenario(servers, scenario, seconds, rounds)));
    }
  } finally {
    await Promise.all([servers.counted.stop(), servers.uncounted.stop()]);
  }
  const header = [
    "scenario",
    "worker CPU µs per request, counted / uncounted (medians)",
    "cost",
    "per-round cost, median (min .. max)",
    "whole server µs (cost)",
    "rate",
  ];
  const part = WITHOUT === "1" ? "" : `; the uncounted side lacks only: ${WITHOUT}`;
  const how = together ? "both servers loaded at once on core 0 (`--together`)" : "one worker pinned to core 0";
  console.log(`${build}; ${rounds} alternating rounds of ${seconds} s, ${how}, load on core 1${part}`);
  console.log(`load average (1, 5, 15 min): ${startLoad} at the start, ${loadAverage()} at the end (the machine is shared)\n`);
  console.log(markdownTable(header, rows, ["l", "r", "r", "r", "r", "r"]));
  const path = addedPerRequest();
  console.log(
    `\nhttp path alone (in-process, 9 alternating batches of 500k): a hello Response ${path.plain.toFixed(3)} µs, the counting adds ${path.added.toFixed(3)} µs`,
  );
}

await runMain(main);

// Ours against Workerman (or raw Bun, or ours again for an A/A check) with both servers on core 0 in the same seconds:
// `bun bench/versus-together.ts --workerman <walkor/workerman>/src [--against workerman|raw|ours] [--rounds N] [--seconds S] [--only text,frame]`.
// Rounds of one server at a time swing by 15-30% on a shared VM; two servers loaded at once share every swing, so the
// per-round ratio of their CPU per message is what this reports (each is loaded by its own process on core 1).
import { readFileSync } from "node:fs";
import { snapshotBinary } from "./lib/binary.ts";
import type { Kind } from "./lib/kinds.ts";
import { markdownTable } from "./lib/markdown.ts";
import { startOurs, startRaw, type RunningServer, type ServerSpec } from "./lib/servers.ts";
import { compact, median } from "./lib/stats.ts";
import { startWorkerman } from "./lib/workerman.ts";
import { measure, MODES, SCENARIOS, type Sample, type Scenario } from "./throughput.ts";
import { runMain } from "./lib/run-main.ts";

const log = (line: string) => console.error(`[versus] ${line}`);
const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const STREAM_KINDS = ["text", "frame", "json"] as const;

type Against = "workerman" | "raw" | "ours";
const CORE = MODES.find((m) => m.id === "core")!;

async function startOther(against: Against, spec: ServerSpec): Promise<RunningServer> {
  if (against === "raw") return startRaw(spec);
  if (against === "ours") return startOurs(spec);
  const src = option("workerman");
  if (!src) throw new Error("--workerman <walkor/workerman checkout>/src is needed (or --against raw|ours)");
  return startWorkerman(spec, src);
}

interface Pair {
  ours: Sample;
  other: Sample;
}

async function measurePairs(servers: [RunningServer, RunningServer], scenario: Scenario, seconds: number, rounds: number): Promise<Pair[]> {
  await Promise.all(servers.map((server) => measure(CORE, server, scenario, 1)));
  const pairs: Pair[] = [];
  for (let round = 0; round < rounds; round++) {
    const [ours, other] = await Promise.all(servers.map((server) => measure(CORE, server, scenario, seconds)));
    pairs.push({ ours: ours!, other: other! });
    const ratio = other!.workerMicros / ours!.workerMicros;
    log(
      `${scenario.label} round ${round + 1}: ours ${ours!.workerMicros.toFixed(3)} µs, other ${other!.workerMicros.toFixed(3)} µs (${ratio.toFixed(3)}x), load ${loadAverage()}`,
    );
  }
  return pairs;
}

function row(scenario: Scenario, pairs: Pair[]): string[] {
  // Messages per core second of CPU, as a ratio: the other side's CPU per message over ours (above 1: ours does more).
  const ratios = pairs.map((p) => p.other.workerMicros / p.ours.workerMicros);
  const errors = pairs.reduce((sum, p) => sum + p.ours.errors + p.other.errors, 0);
  const med = (side: keyof Pair, key: keyof Sample) => median(pairs.map((p) => p[side][key]));
  return [
    scenario.label,
    `${med("ours", "workerMicros").toFixed(3)} / ${med("other", "workerMicros").toFixed(3)}`,
    `**${median(ratios).toFixed(3)}x**`,
    `${Math.min(...ratios).toFixed(3)} .. ${Math.max(...ratios).toFixed(3)}`,
    `${compact(med("ours", "perSecond"))}/s / ${compact(med("other", "perSecond"))}/s`,
    String(errors),
  ];
}

async function main(): Promise<void> {
  const against = (option("against") ?? "workerman") as Against;
  const seconds = Number(option("seconds") ?? 3);
  const rounds = Number(option("rounds") ?? 10);
  const kinds = (option("only")?.split(",") ?? STREAM_KINDS) as Kind[];
  const { path: binary, build } = await snapshotBinary(args.includes("--build"), log);
  const spec: ServerSpec = { binary, kinds, count: 1, prefix: CORE.serverPrefix };
  const startLoad = loadAverage();
  const servers: [RunningServer, RunningServer] = [await startOurs(spec), await startOther(against, spec)];
  const rows: string[][] = [];
  try {
    for (const scenario of SCENARIOS.filter((s) => kinds.includes(s.kind))) rows.push(row(scenario, await measurePairs(servers, scenario, seconds, rounds)));
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
  console.log(`${build}; against ${against}; ${rounds} rounds of ${seconds} s, both servers on core 0 at once, each loaded from core 1`);
  console.log(`load average (1, 5, 15 min): ${startLoad} at the start, ${loadAverage()} at the end (the machine is shared)\n`);
  const header = [
    "scenario",
    `serving process CPU µs per message, ours / ${against} (medians)`,
    "ours, messages per core second, vs it (per-round median)",
    "per-round range",
    "rate, ours / it",
    "errors",
  ];
  console.log(markdownTable(header, rows, ["l", "r", "r", "r", "r", "r"]));
}

await runMain(main);

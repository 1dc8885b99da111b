// Parses bench/run.ts's command line.
import { KINDS, type Kind } from "./lib/kinds.ts";

export interface BenchOptions {
  seconds: number;
  rounds: number;
  memoryRounds: number;
  kinds: Kind[];
  modes: ("core" | "box")[];
  idleCounts: number[];
  coldRuns: number;
  skip: Set<Skippable>;
  /** Connections of the keep-alive row (bench/keepalive-10k.ts), and its alternating rounds. */
  keepAliveConnections: number;
  keepAliveRounds: number;
  docs: boolean;
  build: boolean;
  /** Another executable to measure instead of ./workerman-app (e.g. a build of a proposed fix). */
  binary?: string;
  /** walkor/workerman's src/ folder: Workerman joins the HTTP fetch, text, frame and json scenarios (needs php-cli). */
  workerman?: string;
}

const SKIPPABLE = ["throughput", "cold", "memory", "realistic", "keepalive"] as const;
type Skippable = (typeof SKIPPABLE)[number];

export const USAGE = `usage: bun bench/run.ts [options]
  --seconds N        length of one throughput measurement (default 4)
  --rounds N         alternating ours/raw rounds per scenario and mode (default 5)
  --memory-rounds N  alternating rounds per idle-connection count (default 2: memory varies little)
  --only a,b         scenarios: ${KINDS.join(",")} (default all; the idle-memory rows: ws and/or text)
  --mode core|box    throughput mode: per core or whole box (default both)
  --idle N,M         idle connections to hold (default 10000,100000; spread over more processes past the open-files limit)
  --cold-runs N      cold starts per contender (default 7)
  --skip a,b         leave out: ${SKIPPABLE.join(", ")}
  --keepalive N      connections of the keep-alive row (default 10000; it runs with the http scenario)
  --keepalive-rounds N  its alternating rounds (default 3: a fresh server each run)
  --build            rebuild ./workerman-app first (it is built anyway when missing)
  --binary PATH      measure this executable instead of ./workerman-app (e.g. a build of a proposed fix)
  --workerman DIR    also measure Workerman on the HTTP fetch, text, frame and json scenarios: DIR is the src/ folder of a
                     github.com/walkor/workerman checkout (php-cli, no composer needed)
  --docs             write the results as docs/benchmarks.md (the whole page)`;

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = {
    seconds: 4,
    rounds: 5,
    memoryRounds: 2,
    kinds: [...KINDS],
    modes: ["core", "box"],
    idleCounts: [10_000, 100_000],
    coldRuns: 7,
    skip: new Set(),
    keepAliveConnections: 10_000,
    keepAliveRounds: 3,
    docs: false,
    build: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    const positive = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${arg} needs a positive number`);
      return n;
    };
    if (arg === "--seconds") options.seconds = positive();
    else if (arg === "--rounds") options.rounds = Math.round(positive());
    else if (arg === "--memory-rounds") options.memoryRounds = Math.round(positive());
    else if (arg === "--cold-runs") options.coldRuns = Math.round(positive());
    else if (arg === "--keepalive") options.keepAliveConnections = Math.round(positive());
    else if (arg === "--keepalive-rounds") options.keepAliveRounds = Math.round(positive());
    else if (arg === "--idle") options.idleCounts = list(value()).map(Number);
    else if (arg === "--only") {
      const kinds = list(value());
      const bad = kinds.filter((k) => !(KINDS as readonly string[]).includes(k));
      if (bad.length) throw new Error(`unknown scenario ${bad.join(", ")} (expected ${KINDS.join(", ")})`);
      options.kinds = kinds as Kind[];
    } else if (arg === "--skip") {
      for (const part of list(value())) {
        if (!(SKIPPABLE as readonly string[]).includes(part)) throw new Error(`--skip takes ${SKIPPABLE.join(", ")}; got ${part}`);
        options.skip.add(part as Skippable);
      }
    } else if (arg === "--mode") {
      const mode = value();
      if (mode !== "core" && mode !== "box") throw new Error(`--mode takes core or box, got ${mode}`);
      options.modes = [mode];
    } else if (arg === "--docs") options.docs = true;
    else if (arg === "--build") options.build = true;
    else if (arg === "--binary") options.binary = value();
    else if (arg === "--workerman") options.workerman = value();
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (options.idleCounts.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error("--idle takes positive whole numbers");
  return options;
}

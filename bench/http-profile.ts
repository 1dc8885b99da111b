// perf and strace on one HTTP server process of each contender under the same per-core load
// (`bun bench/http-profile.ts <hello|realistic> [seconds] [--workerman DIR] [--requests N]`): the hottest native and kernel
// symbols (perf record -g, self time) and the system calls per request over a fixed request count (strace -c -f).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { snapshotBinary } from "./lib/binary.ts";
import { startWorkermanHttp } from "./lib/php-server.ts";
import { Group, runToEnd } from "./lib/processes.ts";
import { startServer, type RunningServer } from "./lib/servers.ts";
import { checkRealistic, REALISTIC_REQUEST, type Contender } from "./http-realistic.ts";
import { runWrk } from "./load/wrk.ts";
import { writeWrkScript } from "./load/wrk-script.ts";
import { MODES } from "./throughput.ts";
import type { Kind } from "./lib/kinds.ts";
import { markdownTable } from "./lib/markdown.ts";
import { compact, median } from "./lib/stats.ts";

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const scenario = args[0];
if (scenario !== "hello" && scenario !== "realistic") {
  console.error("usage: bun bench/http-profile.ts <hello|realistic> [seconds] [--workerman DIR] [--requests N]");
  process.exit(2);
}
const seconds = Number(args[1]?.startsWith("--") ? 5 : (args[1] ?? 5));
/** wrk stops reading at this count but still waits out its duration: sized for strace's slowdown (a few thousand a second). */
const requests = Number(flag("--requests") ?? 20_000);
const workerman = flag("--workerman");
const perCore = MODES.find((m) => m.id === "core")!;
const out = mkdtempSync(join(tmpdir(), "wm-http-profile-"));
const loadScript = writeWrkScript(scenario === "hello" ? {} : { request: REALISTIC_REQUEST });
const countedScript = writeWrkScript({ ...(scenario === "hello" ? {} : { request: REALISTIC_REQUEST }), stopAfter: requests });

/** One profiled server: the hello also through native `routes` (ours and raw Bun), where no Request or Response is made in JavaScript. */
interface Profiled {
  name: string;
  side: Contender;
  kind: Kind;
  env?: Record<string, string>;
}
const CONTENDERS: Profiled[] =
  scenario === "hello"
    ? [
        { name: "ours, fetch", side: "ours", kind: "http" },
        { name: "ours, routes", side: "ours", kind: "routes" },
        { name: "raw Bun, fetch", side: "raw", kind: "http" },
        { name: "raw Bun, routes", side: "raw", kind: "routes" },
        { name: "Workerman", side: "workerman", kind: "http" },
      ]
    : [
        { name: "ours (Hono via fetch)", side: "ours", kind: "realistic" },
        { name: "raw Bun (Hono via fetch)", side: "raw", kind: "realistic" },
        { name: "raw Bun (no Hono: if on the path)", side: "raw", kind: "realistic", env: { BENCH_REALISTIC_ROUTER: "plain" } },
        { name: "Workerman (PHP router)", side: "workerman", kind: "realistic" },
      ];

async function start(c: Profiled, binary: string): Promise<RunningServer> {
  const prefix = perCore.serverPrefix;
  if (c.side === "workerman") return startWorkermanHttp({ src: workerman!, kind: c.kind as "http" | "realistic", count: 1, prefix });
  return startServer(c.side, { binary, kinds: [c.kind], count: 1, prefix, env: c.env });
}

/** User and system CPU seconds of one process (/proc/<pid>/stat fields 14 and 15). */
function userSystem(pid: number): [number, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [Number(fields[11]) / 100, Number(fields[12]) / 100];
}

interface Split {
  perSecond: number;
  /** µs of CPU per request in user space and in the kernel. */
  user: number;
  kernel: number;
}

/** No tool attached: requests a second and the serving process's CPU per request, split into user and kernel time. */
async function plainRun(pid: number): Promise<Split> {
  const [user0, sys0] = userSystem(pid);
  const result = await load(seconds);
  const [user1, sys1] = userSystem(pid);
  const per = (s: number) => (s * 1e6) / result.messages;
  return { perSecond: result.messages / result.seconds, user: per(user1 - user0), kernel: per(sys1 - sys0) };
}

const formatSplit = (s: Split) =>
  `${compact(s.perSecond)}/s; CPU per request ${(s.user + s.kernel).toFixed(2)} µs = user ${s.user.toFixed(2)} + kernel ${s.kernel.toFixed(2)}`;

let port = 0;
const load = (secs: number, script = loadScript) => runWrk(perCore.loadPrefix, port, { threads: 1, connections: 64, seconds: secs, pipeline: 1, script });

/** Runs `tool` attached to `pid` while `work` runs, then stops it with SIGINT (both write their summary on it). */
async function attached<T>(argv: string[], work: () => Promise<T>): Promise<T> {
  const tool = new Group(argv);
  await Bun.sleep(500);
  try {
    return await work();
  } finally {
    process.kill(tool.pid, "SIGINT");
    await Promise.race([tool.proc.exited, Bun.sleep(10_000)]);
    await tool.stop(0);
  }
}

async function perfTop(pid: number, file: string): Promise<string> {
  const result = await attached(["perf", "record", "-g", "-F", "1999", "-p", String(pid), "-o", file], () => load(seconds));
  const report = (sort: string, limit: string) =>
    runToEnd(["perf", "report", "-i", file, "--no-children", "--stdio", "-g", "none", "--sort", sort, "--percent-limit", limit], 120_000);
  const [bySymbol, byDso] = [await report("dso,sym", "1.2"), await report("dso", "1")];
  const rows = (lines: string[]) => lines.filter((l) => /^\s+\d/.test(l)).map((l) => l.replace(/\s+/g, " ").trim());
  return [
    `${Math.round(result.messages / result.seconds)}/s under perf`,
    "by object:",
    ...rows(byDso.lines),
    "hottest symbols (self):",
    ...rows(bySymbol.lines).slice(0, 25),
  ].join("\n");
}

async function straceCount(pid: number, file: string): Promise<string> {
  const result = await attached(["strace", "-c", "-f", "-p", String(pid), "-o", file], () => load(Math.max(5, Math.ceil(requests / 2000)), countedScript));
  const text = readFileSync(file, "utf8");
  const total = /\n\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d+)?\s*total/.exec(text);
  const calls = Number(total?.[1] ?? NaN);
  const rows = text
    .split("\n")
    .filter((l) => /^\s*\d/.test(l))
    .slice(0, 10);
  return [`${result.messages} requests, ${calls} system calls: ${(calls / result.messages).toFixed(2)} per request`, ...rows].join("\n");
}

let server: RunningServer | undefined;
const { path: binary } = await snapshotBinary(false, (line) => console.error(line));
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`${new Date().toISOString()}, load average ${loadAverage()}`);
const chosen = CONTENDERS.filter((c) => c.side !== "workerman" || workerman);
const rounds = Number(flag("--rounds") ?? 0);
if (rounds > 0) await splitRounds(rounds);
else await profileEach();
console.log(`\nperf data and strace summaries in ${out}; load average at the end ${loadAverage()}`);
process.exit(0);

/** --rounds N: no tool attached, every contender running, alternating rounds; medians of the user/kernel split. */
async function splitRounds(n: number): Promise<void> {
  console.log(`# ${scenario}: ${n} alternating rounds of ${seconds} s, one server process each on CPU 0, wrk -c64 on CPU 1, no tool attached`);
  const servers: RunningServer[] = [];
  try {
    for (const c of chosen) servers.push(await start(c, binary));
    const samples: Split[][] = chosen.map(() => []);
    const pidOf = (i: number) => servers[i]!.workers[chosen[i]!.kind]![0]!;
    for (const [i, c] of chosen.entries()) {
      port = servers[i]!.ports[c.kind];
      if (c.kind === "realistic") await checkRealistic(port, c.name);
      await load(1);
    }
    for (let round = 0; round < n; round++) {
      const order = [...chosen.keys()];
      for (const i of round % 2 === 0 ? order : order.reverse()) {
        port = servers[i]!.ports[chosen[i]!.kind];
        samples[i]!.push(await plainRun(pidOf(i)));
        console.error(`round ${round + 1} ${chosen[i]!.name}: ${formatSplit(samples[i]!.at(-1)!)}`);
      }
    }
    const med = (list: Split[], key: keyof Split) => median(list.map((s) => s[key]));
    const rows = chosen.map((c, i) => {
      const [rps, user, kernel] = [med(samples[i]!, "perSecond"), med(samples[i]!, "user"), med(samples[i]!, "kernel")];
      return [c.name, `${compact(rps)}/s`, median(samples[i]!.map((s) => s.user + s.kernel)).toFixed(2), user.toFixed(2), kernel.toFixed(2)];
    });
    console.log(markdownTable(["server", "requests (median)", "CPU µs per request", "user", "kernel"], rows, ["l", "r", "r", "r", "r"]));
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

async function profileEach(): Promise<void> {
  console.log(`# ${scenario}: perf ${seconds} s and strace over ${requests} requests, one server process on CPU 0, wrk -c64 on CPU 1`);
  for (const c of chosen) {
    const file = c.name.replace(/\W+/g, "-");
    try {
      server = await start(c, binary);
      port = server.ports[c.kind];
      if (c.kind === "realistic") await checkRealistic(port, c.name);
      const pid = server.workers[c.kind]![0]!;
      await load(1);
      console.log(`\n## ${c.name} (pid ${pid})\n${formatSplit(await plainRun(pid))}`);
      console.log(`perf record -g: ${await perfTop(pid, join(out, `${file}.perf.data`))}`);
      console.log(`strace -c -f: ${await straceCount(pid, join(out, `${file}.strace`))}`);
    } finally {
      await server?.stop();
    }
  }
}

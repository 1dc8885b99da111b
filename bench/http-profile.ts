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
const kind = scenario === "hello" ? "http" : "realistic";
const out = mkdtempSync(join(tmpdir(), "wm-http-profile-"));
const loadScript = writeWrkScript(scenario === "hello" ? {} : { request: REALISTIC_REQUEST });
const countedScript = writeWrkScript({ ...(scenario === "hello" ? {} : { request: REALISTIC_REQUEST }), stopAfter: requests });

async function start(side: Contender, binary: string): Promise<RunningServer> {
  if (side === "workerman") return startWorkermanHttp({ src: workerman!, kind, count: 1, prefix: perCore.serverPrefix });
  return startServer(side, { binary, kinds: [kind], count: 1, prefix: perCore.serverPrefix });
}

const load = (server: RunningServer, secs: number, script = loadScript) =>
  runWrk(perCore.loadPrefix, server.ports[kind], { threads: 1, connections: 64, seconds: secs, pipeline: 1, script });

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
  const result = await attached(["perf", "record", "-g", "-F", "1999", "-p", String(pid), "-o", file], () => load(server!, seconds));
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
  const result = await attached(["strace", "-c", "-f", "-p", String(pid), "-o", file], () =>
    load(server!, Math.max(5, Math.ceil(requests / 2000)), countedScript),
  );
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
const sides: Contender[] = workerman ? ["ours", "raw", "workerman"] : ["ours", "raw"];
console.log(`# ${scenario}: perf ${seconds} s and strace over ${requests} requests, one server process on CPU 0, wrk -c64 on CPU 1`);
for (const side of sides) {
  try {
    server = await start(side, binary);
    if (kind === "realistic") await checkRealistic(server.ports.realistic, side);
    const pid = server.workers[kind]![0]!;
    await load(server, 1);
    console.log(`\n## ${side} (pid ${pid})\n${await perfTop(pid, join(out, `${side}.perf.data`))}`);
    console.log(`\nstrace -c -f:\n${await straceCount(pid, join(out, `${side}.strace`))}`);
  } finally {
    await server?.stop();
  }
}
console.log(`\nperf data and strace summaries in ${out}`);
process.exit(0);

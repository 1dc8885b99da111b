// Assembles the benchmark's Markdown report from the three parts' results.
import { coldPhaseSection, coldStartTable, type ColdStart } from "./cold-start.ts";
import { memoryTable, type MemoryResult } from "./idle-memory.ts";
import type { Machine } from "./lib/machine.ts";
import { throughputTable, workermanTable, type ScenarioResult } from "./throughput.ts";
import { extraHttpSections, type ExtraHttpResults } from "./http-rows.ts";

export interface BenchResults extends ExtraHttpResults {
  machine: Machine;
  command: string;
  minutes: number;
  seconds: number;
  rounds: number;
  memoryRounds: number;
  throughput?: ScenarioResult[];
  cold?: ColdStart;
  memory?: MemoryResult[];
}

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const out = [
    `Measured ${m.date} on ${m.cores} cores (${m.cpu}), ${m.kernel}, Bun ${m.bun}; \`./workerman-app\` from ${m.build}. ` +
      `A shared machine (load average ${m.load} at the end): figures are medians of alternating runs, and the ratios matter more than the absolute numbers.`,
    "",
    "```sh",
    r.command,
    "```",
    "",
    `(${r.minutes.toFixed(1)} minutes; \`--help\` lists the options, \`--binary PATH\` measures another build, e.g. of a proposed fix. ` +
      "`bun bench/profile.ts <http|routes|ws|text|frame|json|udp|realistic> [seconds] [pipelined]` writes CPU profiles of both sides under the same load; " +
      "`bun bench/http-profile.ts <hello|realistic>` runs perf and strace on ours, raw Bun and Workerman.)",
  ];
  out.push(...throughputSection(r), ...extraHttpSections(r), ...coldSection(r), ...memorySection(r));
  return out.join("\n");
}

/** Throughput against raw Bun, and Workerman when it ran. */
function throughputSection(r: BenchResults): string[] {
  if (!r.throughput?.length) return [];
  const out: string[] = [];
  out.push(
    "",
    "### Throughput: ours against raw Bun at the same process count",
    "",
    `${r.rounds} alternating rounds of ${r.seconds} s per scenario and side. **per core**: server pinned to CPU 0 (\`taskset -c 0\`), load on CPU 1, 1 server process. ` +
      "**whole box**: 2 server processes, load unpinned. Load: wrk for HTTP (64 connections, one request in flight each; " +
      "pipelined: 16 connections writing 16 requests at once, TechEmpower plaintext style, `wrk -s pipeline.lua -- 16`); " +
      "bench/load/ for the rest (64 connections x 8 messages in flight for WebSocket, text, frame and json, 64 x 1 for them one at a time, 16 UDP sockets x 4 datagrams; " +
      "text, frame and json are loaded by bench/load/stream-echo.c, an epoll client cheap enough that one load core keeps one server core busy). " +
      '**routes** serves `/` as a Bun-native static route (`routes: { "/": new Response(...) }`) on both sides. ' +
      "Server CPU is user + system time of every server process (our master included) from /proc/<pid>/stat before and after each run, " +
      "divided by the requests answered: on this 2-core box the load generator caps throughput, so CPU per request is the figure that " +
      "compares the servers; throughput alone mostly measures wrk. Other tenants share the machine: single runs are noisy, read the medians.",
    "",
    throughputTable(r.throughput),
  );
  const workerman = workermanTable(r.throughput);
  if (workerman) {
    out.push(
      "",
      "### HTTP hello and text, frame and json echoes against Workerman",
      "",
      "The same rounds with Workerman 5 (`bench/raw/workerman-hello.php`: its http:// hello, its text:// and frame:// echoes and a json echo over its Text protocol, php-cli, its `select` loop: no ext-event here) as a third contender, same load and process count.",
      "",
      workerman,
    );
  }
  return out;
}

/** Cold start: the totals and the phases. */
function coldSection(r: BenchResults): string[] {
  if (!r.cold?.results.length) return [];
  const out: string[] = [];
  out.push(
    "",
    "### Cold start",
    "",
    `Median of ${r.cold.results[0]!.ms.length} runs each, alternated, after one uncounted warm-up run. CPU: user + system time of the contender's process tree from /proc at the first 200 (10 ms ticks).`,
    "",
    coldStartTable(r.cold),
    "",
    ...coldPhaseSection(r.cold),
  );
  return out;
}

/** Memory per idle connection, with the notes of the runs. */
function memorySection(r: BenchResults): string[] {
  if (!r.memory?.length) return [];
  const out: string[] = [];
  out.push(
    "",
    "### Memory per idle connection",
    "",
    `${r.memoryRounds} alternating rounds. One server process (more past the open-files limit: see servers / holders); VmRSS growth of the server processes after holding the connections (a 500-connection warm-up per process first), divided by the count held; connects per second from the first connect to the last held.`,
    "",
    memoryTable(r.memory),
  );
  const notes = [...new Set(r.memory.flatMap((m) => (m.note ? [m.note] : [])))];
  if (notes.length) out.push("", ...notes.map((n) => `- ${n}.`));
  return out;
}

// Where one `restart --process` spends its time: the CLI and the master under strace, each phase in ms from the CLI's exec; then the CLI's own start (`version` against a refused `restart --process 1`).
// `bun bench/restart-process-trace.ts [--drain-window-ms MS] [--cli-runs N] <binary>` (needs strace; strace slows every process, so the phases say where, the bench says how long).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { markdownTable } from "./lib/markdown.ts";
import { freePorts } from "./lib/ports.ts";
import { Group, onCleanup } from "./lib/processes.ts";
import { median } from "./lib/stats.ts";
import { writeOneProcessApp } from "./restart-latency.ts";

const GIVE_UP_MS = 10_000;

/** What marks each phase in a strace line, and what it is called. */
const MARKS: { who: "cli" | "master"; test: RegExp; what: string }[] = [
  { who: "cli", test: /execve\(.*"restart"/, what: "CLI exec" },
  { who: "cli", test: /connect\(/, what: "CLI connects to the admin plane" },
  { who: "cli", test: /sendto\(.*"GET \/api\/status/, what: "CLI asks GET /api/status" },
  { who: "cli", test: /sendto\(.*"POST \/api\/processes/, what: "CLI sends the POST" },
  { who: "master", test: /execve\(.*"__worker"/, what: "successor spawned" },
  { who: "master", test: /sendto\(.*\\"type\\":\\"ready\\"/, what: "successor ready" },
  { who: "master", test: /sendto\(.*\\"type\\":\\"reply\\"/, what: "successor answers the health check" },
  { who: "master", test: /sendto\(.*\\"type\\":\\"stop\\"/, what: "old process told to stop" },
  { who: "master", test: /wait4\(\d+, \[/, what: "old process reaped" },
  { who: "master", test: /sendto\(.*"HTTP\/1\.1 20/, what: "master answers" },
  { who: "cli", test: /exit_group\(/, what: "CLI exits" },
];

function marks(file: string, who: "cli" | "master"): { at: number; who: string; what: string }[] {
  const found = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.includes("resumed>")) continue;
    const time = /^\d+\s+(\d\d):(\d\d):(\d\d\.\d+) /.exec(line);
    const mark = MARKS.find((m) => m.who === who && m.test.test(line));
    if (!time || !mark) continue;
    found.push({ at: (Number(time[1]) * 3600 + Number(time[2]) * 60 + Number(time[3])) * 1000, who, what: mark.what });
  }
  return found;
}

async function answeringPid(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: "close" } });
  return Number(await response.text());
}

async function traced(binary: string, dir: string, config: string, port: number): Promise<void> {
  const master = new Group([binary, "start", "--config", config], { cwd: dir });
  try {
    await master.waitForLine((line) => line.includes("Press Ctrl+C to stop."), GIVE_UP_MS, "the start");
    const old = await answeringPid(port);
    const [masterFile, cliFile] = [join(dir, "master.strace"), join(dir, "cli.strace")];
    const calls = "trace=execve,connect,wait4,sendmsg,recvmsg,sendto,recvfrom,exit_group";
    const watch = new Group(["strace", "-f", "-tt", "-e", calls, "-o", masterFile, "-p", String(master.pid)]);
    await watch.waitForLine((line) => line.includes("attached"), GIVE_UP_MS, "strace to attach");
    const cli = Bun.spawn(["strace", "-f", "-tt", "-e", calls, "-o", cliFile, binary, "restart", "--process", String(old), "--config", config], { cwd: dir });
    if ((await cli.exited) !== 0) throw new Error("restart --process failed");
    await Bun.sleep(200);
    await watch.stop(1000);
    const all = [...marks(cliFile, "cli"), ...marks(masterFile, "master")].sort((a, b) => a.at - b.at);
    const from = all.find((m) => m.what === "CLI exec")!.at;
    console.log(
      markdownTable(
        ["ms from the CLI's exec", "process", "what"],
        all.map((m) => [(m.at - from).toFixed(1), m.who, m.what]),
        ["r", "l", "l"],
      ),
    );
  } finally {
    await master.stop();
  }
}

/** Medians of alternated runs: the executable's start alone, and a refused `restart --process 1` (its POST, a 404, a status read). */
async function cliStart(binary: string, dir: string, config: string, runs: number): Promise<void> {
  const master = new Group([binary, "start", "--config", config], { cwd: dir });
  try {
    await master.waitForLine((line) => line.includes("Press Ctrl+C to stop."), GIVE_UP_MS, "the start");
    const timed = async (argv: string[]) => {
      const from = performance.now();
      await Bun.spawn(argv, { cwd: dir, stdio: ["ignore", "ignore", "ignore"] }).exited;
      return performance.now() - from;
    };
    const version: number[] = [];
    const refused: number[] = [];
    for (let i = 0; i < runs; i++) {
      version.push(await timed([binary, "version"]));
      refused.push(await timed([binary, "restart", "--process", "1", "--config", config]));
    }
    console.log(
      `\nCLI start, medians of ${runs} alternated runs: version ${median(version).toFixed(1)} ms, a refused restart --process 1 ${median(refused).toFixed(1)} ms`,
    );
  } finally {
    await master.stop();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args.splice(at, 2)[1]) : undefined;
  };
  const drainWindowMs = option("--drain-window-ms");
  const cliRuns = option("--cli-runs") ?? 15;
  const binary = args[0] ?? join(import.meta.dir, "../workerman-app");
  const dir = mkdtempSync(join(tmpdir(), "wm-restart-trace-"));
  const removeDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const { http: port } = await freePorts(["http"]);
    const config = writeOneProcessApp(dir, "trace", port, drainWindowMs);
    console.log(`${binary}: one restart --process under strace; drainWindowMs ${drainWindowMs ?? "300 (default)"}\n`);
    await traced(binary, dir, config, port);
    await cliStart(binary, dir, config, cliRuns);
  } finally {
    removeDir();
  }
}

if (import.meta.main) await main();

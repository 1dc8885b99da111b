// Chaos against the compiled executable under wrk: random real operations, and after each the OS's picture (the master's children, who listens on the port, which code answers) against `status --json`.
// Run: bun bench/chaos.ts [--seconds 60] [--seed N] [--segment 4] [--connections 16] [--build]
import type { StatusResponse } from "../src/admin/contract.ts";
import { Random } from "../test/master/sim-random.ts";
import { ensureTcpMigrateReq } from "../test/support/http-load.ts";
import { snapshotBinary } from "./lib/binary.ts";
import { BROKEN_WINDOW_OPS, OPERATIONS, OPERATION_WEIGHTS, OPERATION_WINDOWS } from "./lib/chaos-ops.ts";
import { followRollback } from "./lib/chaos-probation.ts";
import { HANDLER, type ChaosState } from "./lib/chaos-state.ts";
import { startDaemonApp, type DaemonApp } from "./lib/daemon-app.ts";
import { holdersOf, listeningInodes, liveChildren } from "./lib/port-owners.ts";
import { hasWrk, runWrk } from "./load/wrk.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const seconds = option("seconds", 60);
const seed = option("seed", Date.now() % 100_000);
const segment = option("segment", 4);
const connections = option("connections", 16);
const SETTLE_MS = 15_000;
const CODE_PROBES = 10;

if (!hasWrk()) throw new Error("wrk is not installed: apt-get install wrk");
const migrate = ensureTcpMigrateReq();
const binary = await snapshotBinary(args.includes("--build"), (line) => console.error(line));

interface Tally {
  ops: Map<string, number>;
  opErrors: string[];
  /** OS and status disagreed, and still did a second later. */
  mismatches: string[];
  /** Disagreed once, agreed a second later (a process between exit and the master's bookkeeping). */
  transient: number;
  unsettled: string[];
  stale: string[];
  requests: number;
  failedOutside: number;
  failedInBroken: number;
  /** Operations that outlasted their load window (their tail was not under load). */
  outlasted: number;
}

const sorted = (pids: number[]) => [...pids].sort((a, b) => a - b).join(",");

/** Quiet: as many ready processes as the config says, no reload running, nothing else but parked ones (probation). */
async function settled(state: ChaosState): Promise<StatusResponse | null> {
  const end = Date.now() + SETTLE_MS;
  while (Date.now() < end) {
    const status = await state.app.status().catch(() => null);
    if (status && followRollback(state, status)) console.error(`  probation rolled back to v${state.version}, count ${state.count}`);
    const rows = (status?.processes ?? []).filter((p) => p.state !== "parked");
    if (status && rows.length === state.count && rows.every((p) => p.pid !== null && p.state === "ready") && status.lastReload?.state !== "running")
      return status;
    await Bun.sleep(100);
  }
  return null;
}

/** The OS against the status: the master's live children are the status's pids (parked ones too), and (when settled) the port's listeners are its ready web pids. */
async function disagreement(app: DaemonApp, port: number, listeners = true): Promise<string | null> {
  const status = await app.status();
  const master = app.masterPid();
  const children = liveChildren(master);
  const listed = status.processes.flatMap((p) => (p.pid === null ? [] : [p.pid]));
  const serving = status.processes.filter((p) => p.group === "web" && p.state === "ready" && p.pid !== null).map((p) => p.pid!);
  const holders = holdersOf(listeningInodes(port));
  const problems: string[] = [];
  if (sorted(children) !== sorted(listed)) problems.push(`master ${master}'s children [${sorted(children)}] vs status pids [${sorted(listed)}]`);
  if (listeners && sorted(holders) !== sorted(serving))
    problems.push(`listening on :${port} [${sorted(holders)}] vs status ready web pids [${sorted(serving)}]`);
  return problems.length ? problems.join("; ") : null;
}

/** Fresh connections after the drain: every answer must come from the latest good code. */
async function staleAnswers(port: number, version: number): Promise<string | null> {
  const bodies: string[] = [];
  for (let i = 0; i < CODE_PROBES; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { Connection: "close" }, keepalive: false }).catch((err) => err as Error);
    bodies.push(res instanceof Response ? await res.text() : `error ${res.message}`);
  }
  const wrong = bodies.filter((b) => b !== `v${version}`);
  return wrong.length ? `${wrong.length} of ${CODE_PROBES} answers were not v${version}: ${[...new Set(wrong)].join(", ")}` : null;
}

/** A disagreement counts once it is still there a second later; one that went away is counted as transient. */
async function check(state: ChaosState, port: number, tally: Tally, what: string, listeners: boolean): Promise<string | null> {
  const first = await disagreement(state.app, port, listeners);
  if (!first) return null;
  let problem: string | null = first;
  await Bun.sleep(1000);
  problem = await disagreement(state.app, port, listeners);
  if (problem) tally.mismatches.push(`${what}: ${problem}`);
  else {
    tally.transient++;
    console.error(`  transient, gone a second later: ${first}`);
  }
  return problem;
}

async function step(state: ChaosState, port: number, tally: Tally): Promise<void> {
  const kind = state.random.weighted(OPERATION_WEIGHTS.map(([w, k]) => [w, k] as const));
  const window = Math.max(segment, OPERATION_WINDOWS[kind] ?? 0);
  const load = runWrk([], port, { threads: 1, connections, seconds: window, pipeline: 1 });
  const began = Date.now();
  await Bun.sleep(500);
  const outcome = await OPERATIONS[kind]!(state);
  tally.ops.set(kind, (tally.ops.get(kind) ?? 0) + 1);
  if (outcome.error) tally.opErrors.push(outcome.error);
  // Right after the command, old processes may still drain: the children and the rows must agree even then.
  await check(state, port, tally, `${outcome.text} (just after)`, false);
  const status = await settled(state);
  if (!status) tally.unsettled.push(`${outcome.text}: not settled within ${SETTLE_MS} ms`);
  if (Date.now() - began > (window - 0.2) * 1000) tally.outlasted++;
  const result = await load;
  tally.requests += result.messages;
  if (BROKEN_WINDOW_OPS.has(kind)) tally.failedInBroken += result.errors;
  else tally.failedOutside += result.errors;
  const problem = await check(state, port, tally, outcome.text, true);
  const stale = await staleAnswers(port, state.version);
  if (stale) tally.stale.push(`${outcome.text}: ${stale}`);
  const flags = [outcome.error && "OP FAILED", problem && "MISMATCH", stale && "STALE", result.errors && `${result.errors} failed`].filter(Boolean);
  console.error(`${((Date.now() - began) / 1000).toFixed(1)} s  ${outcome.text}  ${result.messages} requests${flags.length ? `  [${flags.join(", ")}]` : ""}`);
}

function appJson(count: number) {
  return {
    name: "chaos",
    dataDir: "data",
    stopTimeout: 1,
    drainWindowMs: 300,
    admin: { listen: "127.0.0.1:0" },
    workers: [{ name: "web", listen: "http://127.0.0.1:0", count, handler: "./web.ts" }],
  };
}

const state: ChaosState = { app: await startDaemonApp(binary.path, appJson(2), { "web.ts": HANDLER(1) }), random: new Random(seed), version: 1, count: 2 };
const tally: Tally = {
  ops: new Map(),
  opErrors: [],
  mismatches: [],
  transient: 0,
  unsettled: [],
  stale: [],
  requests: 0,
  failedOutside: 0,
  failedInBroken: 0,
  outlasted: 0,
};
const port = await state.app.port("web");
const startedAt = Date.now();
try {
  console.error(`chaos: seed ${seed}, ${seconds} s, wrk -t1 -c${connections} in ${segment} s windows, port ${port}`);
  while (Date.now() - startedAt < seconds * 1000) await step(state, port, tally);
} finally {
  state.app.stop();
}
const total = [...tally.ops.values()].reduce((a, b) => a + b, 0);
console.log(`executable: ${binary.build}; seed ${seed}; ${((Date.now() - startedAt) / 1000).toFixed(0)} s; tcp_migrate_req ${migrate ?? "n/a"}`);
console.log(`operations: ${total} (${[...tally.ops].map(([k, n]) => `${n} ${k}`).join(", ")}); failed operations: ${tally.opErrors.length}`);
console.log(
  `OS vs status mismatches: ${tally.mismatches.length} (transient, agreeing a second later: ${tally.transient}); not settled: ${tally.unsettled.length}`,
);
console.log(`stale answers after a settle: ${tally.stale.length} operations`);
console.log(
  `requests: ${tally.requests}; failed outside deliberately broken windows: ${tally.failedOutside}; failed in them (kill -9, a release exiting during probation): ${tally.failedInBroken}; operations outlasting their load window: ${tally.outlasted}`,
);
for (const line of [...tally.opErrors, ...tally.mismatches, ...tally.unsettled, ...tally.stale]) console.log(`  ${line}`);
process.exitCode = tally.mismatches.length || tally.opErrors.length ? 1 : 0;

// Runs one seeded operation sequence against a simulated master and checks the invariants after every step; shrinks a failing sequence by deleting steps and replaying.
import type { AppConfig, WorkerGroupConfig } from "../../src/config/types.ts";
import { KNOWN_OPEN, checkStep, type Violation } from "./sim-invariants.ts";
import { opText, randomOps, type Op, type OpMix } from "./sim-ops.ts";
import { Random } from "./sim-random.ts";
import { SimWorld } from "./sim-world.ts";

export interface SimSetup {
  config: AppConfig;
  extraGroups: WorkerGroupConfig[];
  /** Unhandled rejections seen since the last check (the test file collects them process-wide). */
  unhandled: unknown[];
}

export interface Found extends Violation {
  /** The step after which it was seen (ops.length: while stopping at the end). */
  step: number;
}

export interface RunOptions {
  /** Stop at the first violation of an invariant that is not tolerated (what the CI run needs). */
  stopAtClosed?: boolean;
  tolerated?: (v: Violation) => boolean;
  trace?: (line: string) => void;
}

const SLACK_MS = 1000;

export function sequenceOf(seed: number, mix: OpMix): Op[] {
  const random = new Random(seed);
  return randomOps(random, random.int(20, 60), mix);
}

export const isOpen = (v: Violation) => v.invariant in KNOWN_OPEN;

export interface Explored {
  /** Reports of invariants that must hold and did not (the run stops at the first). */
  failed: string[];
  /** The first report of each tolerated invariant, by name. */
  open: Map<string, string>;
}

/** Runs the seeds (or SIM_OPS' sequence); shrinks the first violation of each invariant and sorts the reports into failed and tolerated. */
export async function explore(
  seeds: number[],
  mix: OpMix,
  setup: SimSetup,
  tolerated: (v: Violation) => boolean,
  trace?: (line: string) => void,
): Promise<Explored> {
  const failed: string[] = [];
  const open = new Map<string, string>();
  for (const seed of seeds) {
    const ops = process.env.SIM_OPS ? (JSON.parse(process.env.SIM_OPS) as Op[]) : sequenceOf(seed, mix);
    const found = await runSequence(seed, ops, setup, { stopAtClosed: true, tolerated, trace });
    for (const v of found) {
      const closed = !tolerated(v);
      if (!closed && open.has(v.invariant)) continue;
      const shortest = await shrink(seed, ops.slice(0, v.step + 1), v, setup, closed ? 400 : 120);
      const text = report(seed, shortest.found, shortest.ops, closed);
      if (closed) failed.push(text);
      else open.set(v.invariant, text);
    }
    if (failed.length) break;
  }
  return { failed, open };
}

/** Runs `ops` from a clean start; returns the first violation of each invariant. */
export async function runSequence(seed: number, ops: Op[], setup: SimSetup, options: RunOptions = {}): Promise<Found[]> {
  const world = new SimWorld(seed, setup.config, setup.extraGroups);
  return runIn(world, seed, ops, setup, options);
}

async function runIn(world: SimWorld, seed: number, ops: Op[], setup: SimSetup, options: RunOptions): Promise<Found[]> {
  const found = new Map<string, Found>();
  const note = (step: number, list: Violation[]) => {
    for (const v of list) if (!found.has(v.invariant)) found.set(v.invariant, { ...v, step });
    for (const err of setup.unhandled.splice(0)) {
      if (!found.has("no-unexpected-throw"))
        found.set("no-unexpected-throw", { invariant: "no-unexpected-throw", detail: `unhandled rejection: ${err}`, step });
    }
  };
  if (options.trace) world.supervisor.on((e) => options.trace!(`    ${world.clock.now() - 1_000_000} ms ${JSON.stringify(e).slice(0, 200)}`));
  if (!(await world.start())) return [{ invariant: "start", detail: "the first start with good code failed", step: 0 }];
  for (const [step, op] of ops.entries()) {
    options.trace?.(`  step ${step}: ${opText(op)}`);
    await world.apply(op);
    note(step, checkStep(world));
    const tolerated = options.tolerated ?? isOpen;
    if (options.stopAtClosed && [...found.values()].some((v) => !tolerated(v))) return [...found.values()];
  }
  note(ops.length, await finish(world));
  return [...found.values()];
}

/** The end of every sequence: stop (unless one was asked), which must resolve in time and leave nothing alive. */
async function finish(world: SimWorld): Promise<Violation[]> {
  const out: Violation[] = [];
  const { config } = world.supervisor;
  if (!world.stop) await world.apply({ k: "stop", graceful: false });
  const stop = world.stop!;
  const deadlineMs = config.stopTimeout * 1000 + config.drainWindowMs + 2000 + SLACK_MS;
  const gracefulMs = ((config as { gracefulTimeout?: number }).gracefulTimeout ?? 60) * 1000 + deadlineMs;
  let done = await world.clock.until(() => stop.done, stop.graceful ? gracefulMs : deadlineMs);
  if (!done && stop.graceful) {
    out.push({
      invariant: "graceful-stop-completes",
      detail: `stop -g still waits ${gracefulMs} ms later for [${world.live.map((p) => `${p.pid} ${p.release}`)}]`,
    });
    await world.apply({ k: "stop", graceful: false });
    done = await world.clock.until(() => stop.done, deadlineMs);
  }
  out.push(...checkStep(world).filter((v) => v.invariant === "no-unexpected-throw"));
  if (!done) {
    out.push({ invariant: "stop-completes", detail: `stop has not resolved ${deadlineMs} ms after the last stop; alive: [${world.live.map((p) => p.pid)}]` });
  }
  // What was spawned while stopping is no-spawn-after-stop's to report.
  const left = world.live.filter((p) => p.pid <= stop.lastPidBefore);
  if (done && left.length)
    out.push({ invariant: "stop-leaves-nothing", detail: `stop resolved with [${left.map((p) => `${p.pid} ${p.group}#${p.index} ${p.state}`)}] alive` });
  const late = world.procs.filter((p) => p.pid > stop.lastPidBefore);
  if (late.length) out.push({ invariant: "no-spawn-after-stop", detail: `spawned after stop began: [${late.map((p) => `${p.pid} ${p.group}#${p.index}`)}]` });
  return out;
}

/** The shortest sequence found that still breaks `invariant`: delete chunks of steps (halving), keep what still fails. */
export async function shrink(seed: number, ops: Op[], found: Found, setup: SimSetup, budget = 400): Promise<{ ops: Op[]; found: Found }> {
  const fails = async (candidate: Op[]) => {
    budget--;
    const hit = (await runSequence(seed, candidate, setup)).find((v) => v.invariant === found.invariant);
    if (hit) found = hit;
    return !!hit;
  };
  let best = ops;
  for (let chunk = Math.ceil(best.length / 2); chunk >= 1 && budget > 0; ) {
    let removed = false;
    for (let i = 0; i < best.length && budget > 0; ) {
      const candidate = [...best.slice(0, i), ...best.slice(i + chunk)];
      if (await fails(candidate)) {
        best = candidate;
        removed = true;
      } else {
        i += chunk;
      }
    }
    if (!removed) chunk = Math.floor(chunk / 2);
  }
  best = await mergeAdvances(best, fails);
  // The detail as the shortest sequence shows it.
  await fails(best);
  return { ops: best, found };
}

/** Adjacent waits read better as one: merged where the sequence still fails. */
async function mergeAdvances(ops: Op[], fails: (candidate: Op[]) => Promise<boolean>): Promise<Op[]> {
  let best = ops;
  for (let i = 0; i + 1 < best.length; ) {
    const [a, b] = [best[i]!, best[i + 1]!];
    if (a.k !== "advance" || b.k !== "advance") {
      i++;
      continue;
    }
    const candidate = [...best.slice(0, i), { k: "advance" as const, ms: a.ms + b.ms }, ...best.slice(i + 2)];
    if (await fails(candidate)) best = candidate;
    else i++;
  }
  return best;
}

export function report(seed: number, v: Found, shortest: Op[], closed: boolean): string {
  const steps = shortest.map((op, i) => `  ${i}: ${opText(op)}`).join("\n");
  const state = closed ? "FAILED" : `known open: ${KNOWN_OPEN[v.invariant] ?? "see the probe's fault"}`;
  const replay = `SIM_SEED=${seed} SIM_TRACE=1 bun test test/master/supervisor-simulation.test.ts -t invariant`;
  return `[sim] ${v.invariant} (${state}) seed ${seed}: ${v.detail}\n  replay: ${replay}\n  shortest sequence (${shortest.length} steps, then stop; replay it with SIM_OPS='${JSON.stringify(shortest)}'):\n${steps}`;
}

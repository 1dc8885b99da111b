// The simulation's operations as plain data (so a sequence prints, replays and shrinks), and their random generation.
import { RELEASES, type Release } from "./sim-process.ts";
import type { Random } from "./sim-random.ts";

/** `target` and `scope` are fractions in [0, 1) that pick among whatever exists when the step runs, so a shrunk sequence still applies. */
export type Op =
  | { k: "advance"; ms: number }
  | { k: "reload"; release: Release; scope: number; graceful: boolean; change: "none" | "count" | "add" | "remove"; count: number }
  | { k: "crash"; target: number; signal: boolean }
  | { k: "restart"; target: number }
  | { k: "retry"; scope: number }
  | { k: "memory"; target: number }
  | { k: "stop"; graceful: boolean }
  /** The next `n` spawns throw (EMFILE, E2BIG): a fault the supervisor does not survive today (known open). */
  | { k: "spawn-fails"; n: number };

export interface OpMix {
  stops: boolean;
  spawnFailures: boolean;
}

function releaseOf(random: Random): Release {
  return random.chance(0.45) ? "good" : random.pick(RELEASES);
}

function advanceOf(random: Random): Op {
  const ms = random.weighted([
    [4, () => random.int(0, 60)],
    [4, () => random.int(100, 2500)],
    [2, () => random.int(2500, 12_000)],
  ] as const)();
  return { k: "advance", ms };
}

export function randomOp(random: Random, mix: OpMix): Op {
  const kind = random.weighted([
    [10, "advance"],
    [5, "reload"],
    [3, "crash"],
    [1.5, "restart"],
    [1, "retry"],
    [1, "memory"],
    [mix.stops ? 0.25 : 0, "stop"],
    [mix.spawnFailures ? 0.5 : 0, "spawn-fails"],
  ] as const);
  switch (kind) {
    case "advance":
      return advanceOf(random);
    case "reload": {
      const change = random.weighted([
        [6, "none"],
        [2, "count"],
        [1, "add"],
        [1, "remove"],
      ] as const);
      return { k: "reload", release: releaseOf(random), scope: random.next(), graceful: random.chance(0.3), change, count: random.int(1, 4) };
    }
    case "crash":
      return { k: "crash", target: random.next(), signal: random.chance(0.5) };
    case "restart":
      return { k: "restart", target: random.next() };
    case "retry":
      return { k: "retry", scope: random.next() };
    case "memory":
      return { k: "memory", target: random.next() };
    case "stop":
      return { k: "stop", graceful: random.chance(0.5) };
    case "spawn-fails":
      return { k: "spawn-fails", n: random.int(1, 3) };
  }
}

export function randomOps(random: Random, length: number, mix: OpMix): Op[] {
  return Array.from({ length }, () => randomOp(random, mix));
}

/** One line per step, short enough to read a shrunk sequence in a CI log. */
export function opText(op: Op): string {
  const f = (x: number) => x.toFixed(2);
  switch (op.k) {
    case "advance":
      return `advance ${op.ms} ms`;
    case "reload":
      return `reload ${op.release}${op.change === "none" ? "" : ` ${op.change}${op.change === "count" ? `=${op.count}` : ""}`} scope=${f(op.scope)}${op.graceful ? " graceful" : ""}`;
    case "crash":
      return `${op.signal ? "kill -9" : "crash"} target=${f(op.target)}`;
    case "restart":
      return `restartProcess target=${f(op.target)}`;
    case "retry":
      return `retry scope=${f(op.scope)}`;
    case "memory":
      return `stats over maxMemoryMB target=${f(op.target)}`;
    case "stop":
      return `stop${op.graceful ? " graceful" : ""}`;
    case "spawn-fails":
      return `next ${op.n} spawns throw`;
  }
}

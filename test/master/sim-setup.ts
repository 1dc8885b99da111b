// The simulated app: web (2, maxMemoryMB, the default 30 s probation), api (1, a short settle window, no probation), and jobs (a 3 s probation), which a config reload can add; the seeds to run from the environment.
import type { SimSetup } from "./sim-run.ts";
import { API, WEB, configOf } from "./supervisor-fixture.ts";

const JOBS = { name: "jobs", listen: "http://127.0.0.1:8002", count: 1, handler: "./h.ts", maxMemoryMB: 128, healthySeconds: 1, probationSeconds: 3 };

export function simSetup(unhandled: unknown[]): SimSetup {
  const full = configOf([WEB(2, { maxMemoryMB: 256 }), { ...API(1), healthySeconds: 0.5, probationSeconds: 0 }, JOBS]);
  return { config: { ...full, workers: full.workers.slice(0, 2) }, extraGroups: full.workers.slice(2), unhandled };
}

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

/** SIM_SEED=n: that seed alone; else `SIM_RUNS` (or `runs`) seeds from SIM_FROM (default 1), then `extra`. */
export function seedsToRun(runs: number, runsVar = "SIM_RUNS", extra: number[] = []): number[] {
  if (process.env.SIM_SEED !== undefined) return [Number(process.env.SIM_SEED)];
  const from = env("SIM_FROM", 1);
  const range = Array.from({ length: env(runsVar, runs) }, (_, i) => from + i);
  return [...range, ...extra.filter((seed) => !range.includes(seed))];
}

/** SIM_TRACE=1 with SIM_SEED: every step and supervisor event. */
export function traceOf(): ((line: string) => void) | undefined {
  return process.env.SIM_SEED !== undefined && process.env.SIM_TRACE ? (line) => console.log(line) : undefined;
}

// Seeded random operation sequences against the real Supervisor over simulated processes and clock, with the invariants checked after every step.
// SIM_SEED=n replays one seed (SIM_TRACE=1 prints each step and event; SIM_OPS='[...]' replays a printed shortest sequence instead);
// SIM_RUNS, SIM_PROBE_RUNS and SIM_FROM pick how many seeds and from where.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { KNOWN_OPEN, SPAWN_FAILURE_BREAKS } from "./sim-invariants.ts";
import { explore, isOpen, runSequence, sequenceOf } from "./sim-run.ts";
import { seedsToRun, simSetup, traceOf } from "./sim-setup.ts";

describe("supervisor simulation", () => {
  test("every invariant not known open holds over thousands of random sequences", async () => {
    const unhandled: unknown[] = [];
    const { failed, open } = await explore(seedsToRun(1500), { stops: true, spawnFailures: false }, simSetup(unhandled), isOpen, traceOf());
    for (const text of open.values()) console.log(text);
    const unseen = Object.keys(KNOWN_OPEN).filter((name) => !open.has(name));
    if (unseen.length && process.env.SIM_SEED === undefined)
      console.log(`[sim] known open, not seen in this run (fixed on main? drop it from KNOWN_OPEN): ${unseen.join(", ")}`);
    expect(failed.join("\n\n")).toBe("");
  }, 120_000);

  test("a seed replays exactly: the same steps, events and findings", async () => {
    const run = async () => {
      const lines: string[] = [];
      const setup = simSetup([]);
      const found = await runSequence(7, sequenceOf(7, { stops: true, spawnFailures: false }), setup, { trace: (line) => lines.push(line) });
      return { lines, found };
    };
    const [a, b] = [await run(), await run()];
    expect(a.lines.filter((line) => line.includes("process-exited")).length).toBeGreaterThan(3);
    expect(b).toEqual(a);
  });

  test("spawns that throw (known open: only what that bug breaks may fail; the probe reports it)", async () => {
    const probe = Bun.spawn([process.execPath, join(import.meta.dir, "sim-spawn-failure-probe.ts")], { stdout: "pipe", stderr: "pipe", env: process.env });
    const [out, err, code] = await Promise.all([new Response(probe.stdout).text(), new Response(probe.stderr).text(), probe.exited]);
    const lines = out.trim().split("\n");
    console.log(`[sim] probe: spawns that throw; tolerated there: ${SPAWN_FAILURE_BREAKS.join(", ")}\n${lines.slice(0, -1).join("\n")}`);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(lines.at(-1)!).failed).toBe(0);
  }, 120_000);
});

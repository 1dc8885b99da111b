// Seeded random operation sequences against the real Supervisor over simulated processes and clock, with the invariants checked after every step.
// SIM_SEED=n replays one seed (SIM_TRACE=1 prints each step and event; SIM_OPS='[...]' replays a printed shortest sequence instead);
// SIM_RUNS and SIM_FROM pick how many seeds and from where.
import { describe, expect, test } from "bun:test";
import { KNOWN_OPEN, OPEN_SEEDS } from "./sim-invariants.ts";
import { explore, isOpen, runSequence, sequenceOf } from "./sim-run.ts";
import { seedsToRun, simSetup, traceOf } from "./sim-setup.ts";

describe("supervisor simulation", () => {
  test("every invariant not known open holds over thousands of random sequences", async () => {
    const unhandled: unknown[] = [];
    const { failed, open } = await explore(
      seedsToRun(1500, "SIM_RUNS", OPEN_SEEDS),
      { stops: true, spawnFailures: true },
      simSetup(unhandled),
      isOpen,
      traceOf(),
    );
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
      const found = await runSequence(7, sequenceOf(7, { stops: true, spawnFailures: true }), setup, { trace: (line) => lines.push(line) });
      return { lines, found };
    };
    const [a, b] = [await run(), await run()];
    expect(a.lines.filter((line) => line.includes("process-exited")).length).toBeGreaterThan(3);
    expect(b).toEqual(a);
  });
});

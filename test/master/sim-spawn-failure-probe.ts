// Run as a script by the simulation test: sequences with spawns that throw, in a process of its own because today they end in unhandled rejections (which bun test cannot catch).
import { SPAWN_FAILURE_BREAKS, type Violation } from "./sim-invariants.ts";
import { isOpen, explore } from "./sim-run.ts";
import { seedsToRun, simSetup, traceOf } from "./sim-setup.ts";

const unhandled: unknown[] = [];
process.on("unhandledRejection", (err) => void unhandled.push(err));
// Every other invariant must hold even here.
const tolerated = (v: Violation) => isOpen(v) || SPAWN_FAILURE_BREAKS.includes(v.invariant);
const { failed, open } = await explore(seedsToRun(150, "SIM_PROBE_RUNS"), { stops: true, spawnFailures: true }, simSetup(unhandled), tolerated, traceOf());
for (const text of [...open.values(), ...failed]) console.log(text);
console.log(JSON.stringify({ failed: failed.length, seen: [...open.keys()] }));

// The benchmark (`bun bench/run.ts`): throughput against raw Bun, cold start, memory per idle connection; prints Markdown.
import { runColdStart } from "./cold-start.ts";
import { runIdleMemory } from "./idle-memory.ts";
import { snapshotBinary } from "./lib/binary.ts";
import { describeMachine } from "./lib/machine.ts";
import { parseOptions } from "./options.ts";
import { writeBenchmarksPage } from "./benchmarks-page.ts";
import { renderReport, type BenchResults } from "./report.ts";
import { runThroughput } from "./throughput.ts";
import { runExtraHttp } from "./http-rows.ts";
import { runMain } from "./lib/run-main.ts";

const log = (line: string) => console.error(`[bench] ${line}`);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOptions(argv);
  const started = performance.now();
  const { path: binary, build } = await snapshotBinary(options.build, log, options.binary);
  const results: Omit<BenchResults, "machine" | "minutes"> = {
    command: ["bun bench/run.ts", ...argv.filter((a) => a !== "--docs" && a !== "--build")].join(" "),
    seconds: options.seconds,
    rounds: options.rounds,
    memoryRounds: options.memoryRounds,
  };
  if (!options.skip.has("throughput")) {
    const { seconds, rounds, kinds, modes, workerman } = options;
    // The realistic handler has rows of its own (bench/http-realistic.ts), not a throughput scenario.
    results.throughput = await runThroughput({ binary, seconds, rounds, kinds: kinds.filter((k) => k !== "realistic"), modes, workerman, log });
  }
  Object.assign(results, await runExtraHttp(binary, options, log));
  if (!options.skip.has("cold")) results.cold = await runColdStart(binary, options.coldRuns, log);
  if (!options.skip.has("memory"))
    results.memory = await runIdleMemory({ binary, counts: options.idleCounts, kinds: options.kinds, rounds: options.memoryRounds, log });
  const report = renderReport({ ...results, machine: describeMachine(build), minutes: (performance.now() - started) / 60_000 });
  console.log(report);
  if (options.docs) {
    writeBenchmarksPage(report);
    log("docs/benchmarks.md: written");
  }
}

await runMain(main);

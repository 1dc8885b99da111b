// CPU profiles of ours and raw Bun under the same per-core load (`bun bench/profile.ts <http|routes|ws|text|frame|json|udp|realistic> [seconds] [pipelined]`), for finding hot paths.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { snapshotBinary } from "./lib/binary.ts";
import { KINDS, type Kind } from "./lib/kinds.ts";
import { startServer, type RunningServer, type Side } from "./lib/servers.ts";
import { MODES, SCENARIOS, measure, type Sample } from "./throughput.ts";
import { measureRealistic, REALISTIC_REQUEST } from "./http-realistic.ts";
import { writeWrkScript } from "./load/wrk-script.ts";

const [kindArg, secondsArg, pipelined] = process.argv.slice(2);
if (!(KINDS as readonly string[]).includes(kindArg ?? "")) {
  console.error(`usage: bun bench/profile.ts <${KINDS.join("|")}> [seconds] [pipelined]`);
  process.exit(2);
}
const kind = kindArg as Kind;
// A third argument "pipelined" profiles the kind's last scenario: HTTP pipelined, text, frame and json one at a time.
const scenario = SCENARIOS.filter((s) => s.kind === kind).at(pipelined === "pipelined" ? -1 : 0);
const seconds = Number(secondsArg ?? 5);
const perCore = MODES.find((m) => m.id === "core")!;
const out = mkdtempSync(join(tmpdir(), "wm-profile-"));

/** The hot-function rows of every profile a worker wrote (the master's and the raw parent's are left out). */
function hotFunctions(dir: string, workers: number[]): string {
  const files = readdirSync(dir).filter((f) => f.endsWith(".md") && workers.some((pid) => f.includes(`.${pid}.`)));
  return files
    .map((f) => {
      const text = readFileSync(join(dir, f), "utf8");
      const table = text.slice(text.indexOf("## Hot Functions"), text.indexOf("## Call Tree")).split("\n").slice(0, 22);
      return [`${join(dir, f)}`, ...table].join("\n");
    })
    .join("\n\n");
}

const { path: binary } = await snapshotBinary(false, (line) => console.error(line));
for (const side of ["ours", "raw"] as Side[]) {
  const dir = join(out, side);
  const env = { BUN_OPTIONS: `--cpu-prof --cpu-prof-md --cpu-prof-interval=100 --cpu-prof-dir=${dir}` };
  let server: RunningServer | undefined;
  try {
    server = await startServer(side, { binary, kinds: [kind], count: 1, prefix: perCore.serverPrefix, env });
    // realistic: the JSON POST of bench/http-realistic.ts, which is no throughput scenario.
    const sample: Sample = scenario
      ? await measure(perCore, server, scenario, seconds)
      : await measureRealistic(perCore, server, seconds, writeWrkScript({ request: REALISTIC_REQUEST }));
    console.log(
      `## ${side}: ${Math.round(sample.perSecond)}/s, ${sample.cpuMicros.toFixed(2)} µs CPU per request, server CPU ${sample.cpuPercent.toFixed(0)}%`,
    );
  } finally {
    // A clean exit (SIGTERM, then process.exit) is what makes each process write its profile.
    await server?.stop();
  }
  console.log(hotFunctions(dir, server!.workers[kind] ?? []));
  console.log();
}
console.log(`Profiles in ${out}. The "Self" of the function that ran last before the event loop went idle includes the idle time: compare the rest.`);
process.exit(0);

// The reload health gate under wrk: (a) a syntax error, (b) a release that dies after it is ready, (c) count 2 -> 3 with new code.
// Run: bun bench/rollback.ts [--threads 1] [--connections 16] [--build]   (the compiled executable; wrk must be installed)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppUnderTest } from "../test/support/app-under-test.ts";
import { ensureTcpMigrateReq } from "../test/support/http-load.ts";
import { snapshotBinary } from "./lib/binary.ts";
import { runToEnd } from "./lib/processes.ts";
import { hasWrk, runWrk } from "./load/wrk.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(args[args.indexOf(`--${name}`) + 1] ?? fallback) || fallback;
const threads = option("threads", 1);
const connections = option("connections", 16);
const GOOD = `export default { fetch: () => new Response("hello") };\n`;

interface Scenario {
  name: string;
  /** Changes the app on disk before the reload. */
  release: (dir: string, configPath: string) => void;
  expectCode: number;
}

const SCENARIOS: Scenario[] = [
  {
    name: "(a) syntax error",
    release: (dir) => writeFileSync(join(dir, "web.ts"), `export default {\n  fetch() { return new Response("x"}; },\n};\n`),
    expectCode: 1,
  },
  {
    name: "(b) exits 1 s after ready",
    release: (dir) => writeFileSync(join(dir, "web.ts"), `export default { fetch: () => new Response("hello"), onWorkerStart() { setTimeout(() => process.exit(1), 1000); } };\n`),
    expectCode: 1,
  },
  {
    name: "(c) count 2 -> 3, new code",
    release: (dir, configPath) => {
      writeFileSync(join(dir, "web.ts"), `export default { fetch: () => new Response("hello v2") };\n`);
      const config = JSON.parse(readFileSync(configPath, "utf8"));
      config.workers[0].count = 3;
      writeFileSync(configPath, JSON.stringify(config));
    },
    expectCode: 0,
  },
];

if (!hasWrk()) throw new Error("wrk is not installed: apt-get install wrk");
const migrate = ensureTcpMigrateReq();
const binary = await snapshotBinary(args.includes("--build"), (line) => console.error(line));
const rows: string[] = [];

for (const scenario of SCENARIOS) {
  await using app = await AppUnderTest.start({ mode: "compiled", workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }], files: { "web.ts": GOOD } });
  const before = (await app.pids("web")).sort();
  const load = runWrk([], await app.port("web"), { threads, connections, seconds: 7, pipeline: 1 });
  await Bun.sleep(1000);
  scenario.release(app.dir, app.configPath);
  const startedAt = Date.now();
  const { code, lines } = await runToEnd([binary.path, "reload", "--config", app.configPath], 30_000);
  const took = ((Date.now() - startedAt) / 1000).toFixed(1);
  const result = await load;
  const after = (await app.pids("web")).sort();
  const kept = JSON.stringify(after) === JSON.stringify(before);
  if (code !== scenario.expectCode) throw new Error(`${scenario.name}: reload exited ${code}, expected ${scenario.expectCode}:\n${lines.join("\n")}`);
  const outcome = lines.find((line) => line.startsWith("web: ")) ?? "";
  const pids = kept ? "same 2 pids serve" : `${after.filter((pid) => !before.includes(pid)).length} new pids`;
  rows.push(`| ${scenario.name} | ${result.messages} | ${result.errors} | exit ${code} in ${took} s: \`${outcome}\` | ${pids} |`);
}

console.log(`executable: ${binary.build}; wrk -t${threads} -c${connections} for 7 s around each reload; tcp_migrate_req ${migrate ?? "n/a"}`);
console.log("| scenario | requests | failed (socket errors + non-2xx) | reload | after |");
console.log("| --- | ---: | ---: | --- | --- |");
for (const row of rows) console.log(row);

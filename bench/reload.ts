// Deploys under load: wrk against a 2-process http group of the compiled executable through reloads, broken releases and restarts.
// Run: bun bench/reload.ts [--scenario reloads,a,b,c,f] [--reloads 5] [--restarts 3] [--threads 1] [--connections 16] [--build]
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { ensureTcpMigrateReq } from "../test/support/http-load.ts";
import { snapshotBinary } from "./lib/binary.ts";
import { startDaemonApp, type DaemonApp } from "./lib/daemon-app.ts";
import { hasWrk, runWrk } from "./load/wrk.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(args[args.indexOf(`--${name}`) + 1] ?? fallback) || fallback;
const scenarios = (args.includes("--scenario") ? args[args.indexOf("--scenario") + 1]! : "reloads,a,b,c,f").split(",");
const threads = option("threads", 1);
const connections = option("connections", 16);
const HANDLER = (version: number) => `export default { fetch: () => new Response("hello v${version}") };`;

interface Row {
  scenario: string;
  requests: number;
  failed: number;
  /** What the deploy did, as checked after it (exit code, pids). */
  outcome: string;
}

if (!hasWrk()) throw new Error("wrk is not installed: apt-get install wrk");
const migrate = ensureTcpMigrateReq();
const binary = await snapshotBinary(args.includes("--build"), (line) => console.error(line));

function startApp(): Promise<DaemonApp> {
  const appJson = {
    name: "bench",
    dataDir: "data",
    stopTimeout: 1,
    drainWindowMs: 300,
    admin: { listen: "127.0.0.1:0" },
    workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }],
  };
  return startDaemonApp(binary.path, appJson, { "web.ts": HANDLER(1) });
}

/** Runs `deploy` about a second into a wrk run of `seconds`, which must outlast it so the whole deploy is under load. */
async function underLoad(name: string, seconds: number, deploy: (app: DaemonApp) => Promise<string>): Promise<Row> {
  const app = await startApp();
  try {
    const load = runWrk([], await app.port("web"), { threads, connections, seconds, pipeline: 1 });
    const startedAt = Date.now();
    await Bun.sleep(1000);
    const outcome = await deploy(app);
    if (Date.now() - startedAt > (seconds - 0.5) * 1000) throw new Error(`${name}: the deploy outlasted the ${seconds} s load window: raise it`);
    const result = await load;
    return { scenario: name, requests: result.messages, failed: result.errors, outcome };
  } finally {
    app.stop();
  }
}

/** `reload` through the CLI, which follows the reload to its end: exit 0 replaced, 1 rolled back. */
async function reload(app: DaemonApp, expectCode: number): Promise<string> {
  const before = await app.pids("web");
  const { code, text } = await app.cli(["reload"]);
  if (code !== expectCode) throw new Error(`reload exited ${code} (expected ${expectCode}):\n${text}`);
  const after = await app.pids("web");
  const kept = after.filter((pid) => before.includes(pid)).length;
  const line = text.split("\n").find((l) => l.startsWith("web:")) ?? "";
  return `exit ${code}; ${after.length} serving, ${kept} of them the old pids; \`${line.replace(/\s+/g, " ").slice(0, 90)}\``;
}

const run: Record<string, () => Promise<Row>> = {
  reloads: () =>
    underLoad(`${option("reloads", 5)} reloads, same code`, option("reloads", 5) * 5 + 3, async (app) => {
      const outcomes: string[] = [];
      for (let i = 0; i < option("reloads", 5); i++) outcomes.push(await reload(app, 0));
      return outcomes.at(-1)!;
    }),
  a: () =>
    underLoad("(a) a release with a syntax error", 8, async (app) => {
      app.write("web.ts", `export default { fetch: () => new Response("v2" };`);
      return reload(app, 1);
    }),
  b: () =>
    underLoad("(b) a release that exits 1 s after ready", 10, async (app) => {
      app.write("web.ts", `setTimeout(() => process.exit(1), 1000); ${HANDLER(2)}`);
      return reload(app, 1);
    }),
  c: () =>
    underLoad("(c) count 2 -> 3 and a new handler version", 10, async (app) => {
      app.write("web.ts", HANDLER(2));
      app.editConfig((config) => (config.workers[0].count = 3));
      return reload(app, 0);
    }),
  f: () =>
    underLoad(`(f) ${option("restarts", 3)} x restart -d, a new copy of the executable each`, option("restarts", 3) * 8 + 3, async (app) => {
      // Alternate two copies, as an upgrade and a rollback of the executable would.
      const executables = [binary.path, join(app.dir, "workerman-app-next")];
      copyFileSync(binary.path, executables[1]!);
      const masters = new Set([app.masterPid()]);
      for (let i = 0; i < option("restarts", 3); i++) {
        const { code, text } = await app.cli(["restart", "-d"], executables[(i + 1) % 2]);
        if (code !== 0) throw new Error(`restart -d exited ${code}:\n${text}`);
        masters.add(app.masterPid());
      }
      return `exit 0 each; ${masters.size - 1} new master pids; ${(await app.pids("web")).length} serving`;
    }),
};

const rows: Row[] = [];
for (const name of scenarios) {
  const scenario = run[name];
  if (!scenario) throw new Error(`--scenario ${name}: expected some of ${Object.keys(run).join(",")}`);
  rows.push(await scenario());
}
console.log(`executable: ${binary.build}; wrk -t${threads} -c${connections}; tcp_migrate_req ${migrate ?? "n/a"}`);
console.log("| scenario | requests | failed (socket errors + non-2xx) | outcome |");
console.log("| --- | ---: | ---: | --- |");
for (const row of rows) console.log(`| ${row.scenario} | ${row.requests} | ${row.failed} | ${row.outcome} |`);

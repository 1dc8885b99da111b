// Deploys under load: wrk against a 2-process http group of the compiled executable through reloads and restarts; requests and failures each.
// Run: bun bench/reload.ts [--scenario reloads,restart] [--reloads 5] [--restarts 3] [--threads 1] [--connections 16] [--build]
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StatusResponse } from "../src/admin/contract.ts";
import { AppUnderTest } from "../test/support/app-under-test.ts";
import { ensureTcpMigrateReq } from "../test/support/http-load.ts";
import { snapshotBinary } from "./lib/binary.ts";
import { onCleanup, runToEnd } from "./lib/processes.ts";
import { hasWrk, runWrk } from "./load/wrk.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(args[args.indexOf(`--${name}`) + 1] ?? fallback) || fallback;
const scenarios = (args.includes("--scenario") ? args[args.indexOf("--scenario") + 1]! : "reloads,restart").split(",");
const threads = option("threads", 1);
const connections = option("connections", 16);
const intervalMs = 1200;
const HANDLER = `export default { fetch: () => new Response("hello") };`;

interface Row {
  scenario: string;
  what: string;
  requests: number;
  failed: number;
  check: string;
}

if (!hasWrk()) throw new Error("wrk is not installed: apt-get install wrk");
const migrate = ensureTcpMigrateReq();
const binary = await snapshotBinary(args.includes("--build"), (line) => console.error(line));
const rows: Row[] = [];

/** Reload: a new generation of the same code, `reloads` times while wrk runs. */
async function reloads(count: number): Promise<Row> {
  await using app = await AppUnderTest.start({
    mode: "compiled",
    workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }],
    files: { "web.ts": HANDLER },
    extra: { drainWindowMs: 300 },
  });
  const port = await app.port("web");
  const load = runWrk([], port, { threads, connections, seconds: Math.ceil(((count + 1) * intervalMs) / 1000) + 1, pipeline: 1 });
  let replaced = 0;
  for (let i = 0; i < count; i++) {
    await Bun.sleep(intervalMs);
    const { generation } = await app.api<{ generation: number }>("/api/reload", { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
    await app.waitFor(async () => {
      const procs = (await app.status()).processes.filter((p) => p.group === "web");
      return procs.length === 2 && procs.every((p) => p.generation === generation && p.state === "ready");
    }, 10_000, `generation ${generation}`);
    replaced++;
  }
  const result = await load;
  return { scenario: "reload", what: `${replaced} reloads, same code`, requests: result.messages, failed: result.errors, check: `${replaced * 2} pids replaced` };
}

/** (f) restart -d: a new master from an upgraded executable (a second copy) takes over `count` times while wrk runs. */
async function restarts(count: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), "wm-bench-restart-"));
  const config = join(dir, "app.json");
  writeFileSync(join(dir, "web.ts"), HANDLER);
  writeFileSync(config, JSON.stringify({
    name: "bench", dataDir: "data", stopTimeout: 1, drainWindowMs: 300, admin: { listen: "127.0.0.1:0" },
    workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }],
  }));
  const executables = [binary.path, join(dir, "workerman-app-next")];
  copyFileSync(binary.path, executables[1]!);
  const cli = async (exe: string, ...argv: string[]) => {
    const { code, lines } = await runToEnd([exe, ...argv, "--config", config], 60_000);
    if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}:\n${lines.join("\n")}`);
  };
  const masterPid = () => Number(readFileSync(join(dir, "data/master.pid"), "utf8"));
  const stop = onCleanup(() => {
    Bun.spawnSync([binary.path, "stop", "--config", config], { stdout: "ignore", stderr: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    await cli(executables[0]!, "start", "-d");
    const port = await portOf(dir, "web");
    // A restart -d returns once the old master has drained (about 2-3 s here): the window covers every one.
    const seconds = count * 5 + 2;
    const startedAt = Date.now();
    const load = runWrk([], port, { threads, connections, seconds, pipeline: 1 });
    const pids = [masterPid()];
    for (let i = 0; i < count; i++) {
      await Bun.sleep(intervalMs);
      // Alternate the two copies, as an upgrade and a rollback of the executable would.
      await cli(executables[(i + 1) % 2]!, "restart", "-d");
      pids.push(masterPid());
    }
    if (Date.now() - startedAt > seconds * 1000) throw new Error(`the restarts outlasted the ${seconds} s load window: raise it`);
    const result = await load;
    const distinct = new Set(pids).size;
    return { scenario: "(f) restart -d", what: `${count} restarts, new executable each`, requests: result.messages, failed: result.errors, check: `${distinct - 1} new master pids` };
  } finally {
    stop();
  }
}

async function portOf(dir: string, group: string): Promise<number> {
  const runtime = JSON.parse(readFileSync(join(dir, "data/runtime.json"), "utf8")) as { adminUrl: string };
  const token = readFileSync(join(dir, "data/admin.token"), "utf8").trim();
  const status = (await (await fetch(`${runtime.adminUrl}/api/status`, { headers: { Authorization: `Bearer ${token}` } })).json()) as StatusResponse;
  const listen = status.groups.find((g) => g.name === group)!.listen;
  return Number(listen.slice(listen.lastIndexOf(":") + 1));
}

if (scenarios.includes("reloads")) rows.push(await reloads(option("reloads", 5)));
if (scenarios.includes("restart")) rows.push(await restarts(option("restarts", 3)));

console.log(`executable: ${binary.build}; wrk -t${threads} -c${connections}; tcp_migrate_req ${migrate ?? "n/a"}`);
console.log("| scenario | what | requests | failed (socket errors + non-2xx) | check |");
console.log("| --- | --- | ---: | ---: | --- |");
for (const row of rows) console.log(`| ${row.scenario} | ${row.what} | ${row.requests} | ${row.failed} | ${row.check} |`);

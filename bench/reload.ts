// Reload under load: wrk against a 2-process http group of the compiled executable while it reloads 5 times; prints the errors.
// Run: bun bench/reload.ts [--reloads 5] [--connections 50]
import { AppUnderTest } from "../test/support/app-under-test.ts";
import { ensureBinary } from "../test/support/binary.ts";
import { ensureTcpMigrateReq } from "../test/support/http-load.ts";
import { hasWrk, runWrk } from "./load/wrk.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(args[args.indexOf(`--${name}`) + 1] ?? fallback) || fallback;
const reloads = option("reloads", 5);
const connections = option("connections", 50);
const intervalMs = 1200;

if (!hasWrk()) throw new Error("wrk is not installed: apt-get install wrk");
const migrate = ensureTcpMigrateReq();
await ensureBinary();
await using app = await AppUnderTest.start({
  mode: "compiled",
  workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }],
  files: { "web.ts": `export default { fetch: () => new Response("hello") };` },
  extra: { drainWindowMs: 300 },
});
const port = await app.port("web");
const seconds = Math.ceil(((reloads + 1) * intervalMs) / 1000) + 1;
const load = runWrk([], port, { threads: 2, connections, seconds, pipeline: 1 });
const replaced: number[] = [];
for (let i = 0; i < reloads; i++) {
  await Bun.sleep(intervalMs);
  const before = await app.pids("web");
  const { generation } = await app.api<{ generation: number }>("/api/reload", { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
  await app.waitFor(async () => {
    const procs = (await app.status()).processes.filter((p) => p.group === "web");
    return procs.length === 2 && procs.every((p) => p.generation === generation && p.state === "ready");
  }, 10_000, `generation ${generation}`);
  replaced.push(before.length);
}
const result = await load;
console.log("| reloads | wrk connections | requests | errors (socket + non-2xx) | tcp_migrate_req |");
console.log("| ---: | ---: | ---: | ---: | ---: |");
console.log(`| ${replaced.length} | ${connections} | ${result.messages} | ${result.errors} | ${migrate ?? "n/a"} |`);

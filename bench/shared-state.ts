// worker.shared latency seen by a handler: get, set and incr p50/p99, one call at a time and 32 in flight, on one host and over Redis.
// Run: bun bench/shared-state.ts [--calls 20000] [--mode local|redis|both]
// Each figure is timed inside a worker (performance.now() around each awaited call), so HTTP is not in it. Over Redis,
// a plain GET from the same worker with Bun's RedisClient is the floor the IPC hop through the master adds to.
import { AppUnderTest } from "../test/support/app-under-test.ts";
import { RedisUnderTest } from "../test/channel/redis-server.ts";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const CALLS = Number(args.get("calls") ?? 20_000);
const MODE = args.get("mode") ?? "both";

// A reading of about 100 bytes as JSON, the IoT gateway's case.
const HANDLER = `import { worker } from "workerman-app";
import { RedisClient } from "bun";
const reading = { device: "sensor-0042", celsius: 21.5, humidity: 40.25, at: 1765000000000, battery: 0.93 };
let redis;
function op(name) {
  if (name === "get") return () => worker.shared.get("bench:reading");
  if (name === "set") return () => worker.shared.set("bench:reading", reading);
  if (name === "incr") return () => worker.shared.incr("bench:count");
  if (name === "redis-get") return () => (redis ??= new RedisClient(process.env.BENCH_REDIS)).get("bench:plain");
  throw new Error("unknown op " + name);
}
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const call = op(url.searchParams.get("op"));
    const n = Number(url.searchParams.get("n"));
    const inFlight = Number(url.searchParams.get("inflight"));
    await worker.shared.set("bench:reading", reading);
    const times = [];
    const started = performance.now();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      for (let i = 0; i < n / inFlight; i++) {
        const t0 = performance.now();
        await call();
        times.push(performance.now() - t0);
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    times.sort((a, b) => a - b);
    const at = (p) => times[Math.min(times.length - 1, Math.floor((times.length * p) / 100))];
    return Response.json({ p50: at(50), p99: at(99), max: times.at(-1), perSecond: times.length / seconds });
  },
};`;

interface Figures {
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
}

async function run(port: number, op: string, inFlight: number): Promise<Figures> {
  // Warm up the JIT on both sides, then measure.
  await fetch(`http://127.0.0.1:${port}/?op=${op}&n=${Math.min(2000, CALLS)}&inflight=${inFlight}`);
  const response = await fetch(`http://127.0.0.1:${port}/?op=${op}&n=${CALLS}&inflight=${inFlight}`);
  return (await response.json()) as Figures;
}

function line(label: string, f: Figures): string {
  const us = (ms: number) => `${Math.round(ms * 1000)} µs`;
  return `  ${label.padEnd(22)} p50 ${us(f.p50).padStart(8)}  p99 ${us(f.p99).padStart(8)}  max ${us(f.max).padStart(9)}  ${Math.round(f.perSecond).toLocaleString("en-US").padStart(7)} calls/s`;
}

async function measureOn(app: AppUnderTest, ops: string[]): Promise<void> {
  const port = await app.port("bench");
  for (const inFlight of [1, 32]) {
    console.log(`${inFlight === 1 ? "one call at a time" : `${inFlight} calls in flight`} (${CALLS.toLocaleString("en-US")} calls each, one worker):`);
    for (const op of ops) console.log(line(op, await run(port, op, inFlight)));
  }
}

const workers = [{ name: "bench", listen: "http://127.0.0.1:0", count: 1, handler: "./bench-shared.ts", watchdogSeconds: 0 }];
const files = { "bench-shared.ts": HANDLER };

if (MODE === "local" || MODE === "both") {
  console.log("\n== one host: the master's store (SQLite, store.db) ==");
  await using app = await AppUnderTest.start({ workers, files, extra: { name: "bench-shared" } });
  await measureOn(app, ["get", "set", "incr"]);
}

if (MODE === "redis" || MODE === "both") {
  console.log("\n== cluster.redis: Redis on this machine ==");
  await using redis = await RedisUnderTest.start();
  process.env.BENCH_REDIS = redis.url;
  await using app = await AppUnderTest.start({
    workers: [{ ...workers[0]!, env: { BENCH_REDIS: redis.url } }],
    files,
    extra: { name: "bench-shared", cluster: { redis: redis.url } },
  });
  await app.waitFor(async () => (await app.status()).cluster?.connected, 5000, "cluster connected");
  await measureOn(app, ["get", "set", "incr", "redis-get"]);
}

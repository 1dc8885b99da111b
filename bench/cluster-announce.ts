// The Redis traffic an idle instance costs with cluster.redis (dominated by its once-a-second announcement), by number of worker processes.
// Run: bun bench/cluster-announce.ts [--processes 1,8,32] [--seconds 10]
import { RedisClient } from "bun";
import { RedisUnderTest } from "../test/channel/redis-server.ts";
import { AppUnderTest } from "../test/support/app-under-test.ts";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const COUNTS = (args.get("processes") ?? "1,8,32").split(",").map(Number);
const SECONDS = Number(args.get("seconds") ?? 10);
const WEB = `export default { fetch: () => new Response("ok") };\n`;

/** Bytes Redis has read from and written to all its clients since it started. */
async function netBytes(redis: RedisClient): Promise<{ input: number; output: number }> {
  const info = String(await redis.send("INFO", ["stats"]));
  const field = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1] ?? Number.NaN);
  return { input: field("total_net_input_bytes"), output: field("total_net_output_bytes") };
}

async function measure(redisUrl: string, processes: number): Promise<string> {
  await using app = await AppUnderTest.start({
    workers: [{ name: "web", listen: "http://127.0.0.1:0", count: processes, handler: "./web.ts" }],
    files: { "web.ts": WEB },
    extra: { name: "announce-bench", cluster: { redis: redisUrl } },
  });
  const probe = new RedisClient(redisUrl);
  try {
    // Every process has reported once (its row has figures), so the entry has its steady size.
    await app.waitFor(async () => (await app.status()).processes.every((p) => p.rssBytes > 0) && (await app.status()).cluster?.instances === 1, 10_000);
    await Bun.sleep(1500);
    const id = (await app.status()).cluster!.instance;
    const entryBytes = Number(await probe.send("STRLEN", [`wm:{announce-bench}:node:${id}`]));
    // The probe's own INFO calls are counted too: one before, one after (about 30 B in, 1-2 KB out).
    const before = await netBytes(probe);
    await Bun.sleep(SECONDS * 1000);
    const after = await netBytes(probe);
    const infoReply = String(await probe.send("INFO", ["stats"])).length;
    const inPerSecond = (after.input - before.input) / SECONDS;
    const outPerSecond = (after.output - before.output - infoReply) / SECONDS;
    return `| ${processes} | ${entryBytes.toLocaleString("en-US")} | ${Math.round(inPerSecond).toLocaleString("en-US")} | ${Math.round(outPerSecond).toLocaleString("en-US")} |`;
  } finally {
    probe.close();
  }
}

await using redis = await RedisUnderTest.start();
const rows: string[] = [];
for (const count of COUNTS) rows.push(await measure(redis.url, count));
console.log(`Redis traffic of one idle instance over ${SECONDS} s (bun ${Bun.version}, redis-server on 127.0.0.1):\n`);
console.log("| worker processes | announce entry (B) | to Redis (B/s) | from Redis (B/s) |");
console.log("|---|---|---|---|");
for (const row of rows) console.log(row);

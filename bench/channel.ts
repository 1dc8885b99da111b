// Fan-out to N WebSocket clients over 2 workers (one host, then two instances over Redis): publish-to-last-delivery latency.
// Run: bun bench/channel.ts [--clients 10000] [--rounds 30] [--mode local|redis|both|history|cost|raw]
// raw: one plain Bun.serve process (no product code), a loop of ws.send against server.publish to one topic.
// history: one group of N members, sendToGroup against publishToGroup with history off (size 0) and on (size 100).
// cost: memory per kept message, in the master (heap) and in Redis (MEMORY USAGE of a group's stream).
import { AppUnderTest } from "../test/support/app-under-test.ts";
import { RedisUnderTest } from "../test/channel/redis-server.ts";
import { closeClients, connectAll, textFrame, type Client } from "./lib/ws-raw-clients.ts";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ""), process.argv[i + 1] ?? "");
const CLIENTS = Number(args.get("clients") ?? 10_000);
const ROUNDS = Number(args.get("rounds") ?? 30);
const MODE = args.get("mode") ?? "both";

// The trigger client's message is broadcast as it is: "all:<round>" to every client of every process and host.
// "grp:", "off:", "kept:": the same group of every client, sent without history, kept with size 0, kept with size 100.
const HANDLER = `export default {
  onConnect(conn) {
    for (const group of ["bench", "bench-off", "bench-kept"]) conn.worker.channel.joinGroup(conn, group);
  },
  onMessage(conn, data) {
    if (typeof data !== "string") return;
    const { channel } = conn.worker;
    if (data.startsWith("all:")) channel.sendToAll(data);
    else if (data.startsWith("grp:")) channel.sendToGroup("bench", data);
    else if (data.startsWith("off:")) channel.publishToGroup("bench-off", data);
    else if (data.startsWith("kept:")) channel.publishToGroup("bench-kept", data);
  },
};`;
const HISTORY = { history: { size: 0, ttlSeconds: 300, groups: [{ match: "bench-kept", size: 100, ttlSeconds: 300 }] } };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** Sends "all:<round>" from one client and times until every client holds that round's frame. */
async function measure(clients: Client[], kind = "all"): Promise<{ p50: number; p99: number; max: number; firstP50: number }> {
  let remaining = 0;
  let first = 0;
  let done = () => {};
  const onFrame = () => {
    if (first === 0) first = performance.now();
    if (--remaining === 0) done();
  };
  for (const c of clients) c.onFrame = onFrame;
  const lasts: number[] = [];
  const firsts: number[] = [];
  for (let round = 0; round < ROUNDS + 3; round++) {
    const finished = Promise.withResolvers<void>();
    remaining = clients.length;
    first = 0;
    done = finished.resolve;
    const timeout = setTimeout(() => finished.reject(new Error(`round ${round}: ${remaining} of ${clients.length} clients got nothing in 10 s`)), 10_000);
    const t0 = performance.now();
    clients[round % clients.length]!.socket.write(textFrame(`${kind}:${round}`));
    await finished.promise;
    clearTimeout(timeout);
    if (round >= 3) {
      // the first rounds warm up the JIT on every side
      lasts.push(performance.now() - t0);
      firsts.push(first - t0);
    }
    await Bun.sleep(50);
  }
  const expected = ROUNDS + 3;
  const wrong = clients.filter((c) => c.frames !== expected).length;
  if (wrong) throw new Error(`${wrong} clients did not get exactly ${expected} frames`);
  lasts.sort((a, b) => a - b);
  firsts.sort((a, b) => a - b);
  return { p50: percentile(lasts, 50), p99: percentile(lasts, 99), max: lasts.at(-1)!, firstP50: percentile(firsts, 50) };
}

function report(label: string, r: Awaited<ReturnType<typeof measure>>): void {
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`  ${label}: last delivery p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, max ${ms(r.max)} (first delivery p50 ${ms(r.firstP50)}; ${ROUNDS} rounds)`);
}

const workers = (count: number) => [{ name: "ws", listen: "websocket://127.0.0.1:0", count, handler: "./fanout.ts", idleTimeout: 255 }];
const files = { "fanout.ts": HANDLER };

/** The same group and clients, three ways: what keeping a message costs per delivery round. */
async function historyRounds(clients: Client[], where: string): Promise<void> {
  report(`sendToGroup (not kept)${where}`, await measure(clients, "grp"));
  for (const c of clients) c.frames = 0;
  report(`publishToGroup, history off (size 0)${where}`, await measure(clients, "off"));
  for (const c of clients) c.frames = 0;
  report(`publishToGroup, history on (size 100)${where}`, await measure(clients, "kept"));
}

if (MODE === "history") {
  console.log(`group history: 1 instance, 2 workers, ${CLIENTS} members`);
  await using app = await AppUnderTest.start({ workers: workers(2), files, extra: { channel: HISTORY } });
  const clients = await connectAll([await app.port("ws")], CLIENTS, () => {});
  await Bun.sleep(1100);
  await historyRounds(clients, "");
  await closeClients(clients);
  console.log(`group history: two instances over Redis, 1 worker each, ${CLIENTS} members split evenly`);
  await using redis = await RedisUnderTest.start();
  const extra = { name: "bench", cluster: { redis: redis.url }, channel: HISTORY };
  await using a = await AppUnderTest.start({ workers: workers(1), files, extra });
  await using b = await AppUnderTest.start({ workers: workers(1), files, extra });
  for (const host of [a, b]) await host.waitFor(async () => (await host.status()).cluster?.connected, 5000, "cluster joined");
  const spread = await connectAll([await a.port("ws"), await b.port("ws")], CLIENTS, () => {});
  await Bun.sleep(1100);
  await historyRounds(spread, ", Redis");
  await closeClients(spread);
}

if (MODE === "cost") await keptMessageCost();

if (MODE === "raw") await rawLoopAgainstPublish();

/** Is Bun's native publish worth it? The same fan-out from one raw Bun process, both ways, twice each, alternating. */
async function rawLoopAgainstPublish(): Promise<void> {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "wm-raw-fanout-"));
  const file = join(dir, "raw-fanout.ts");
  writeFileSync(
    file,
    `const all = new Set();
const server = Bun.serve({
  hostname: "127.0.0.1", port: 0,
  fetch: (req, srv) => (srv.upgrade(req) ? undefined : new Response("no", { status: 426 })),
  websocket: {
    idleTimeout: 255, perMessageDeflate: false,
    open(ws) { all.add(ws); ws.subscribe("all"); },
    close(ws) { all.delete(ws); },
    message(ws, data) {
      if (data.startsWith("loop:")) for (const c of all) c.send(data);
      else server.publish("all", data, false);
    },
  },
});
console.log(server.port);`,
  );
  const proc = Bun.spawn([process.execPath, file], { stdout: "pipe", stderr: "inherit" });
  try {
    const reader = proc.stdout.getReader();
    const port = Number(new TextDecoder().decode((await reader.read()).value).trim());
    console.log(`raw Bun, one process, ${CLIENTS} clients`);
    const clients = await connectAll([port], CLIENTS, () => {});
    for (const kind of ["loop", "pub", "loop", "pub"]) {
      for (const c of clients) c.frames = 0;
      report(kind === "loop" ? "loop of ws.send" : "server.publish", await measure(clients, kind));
    }
    await closeClients(clients);
  } finally {
    proc.kill();
  }
}

async function keptMessageCost(): Promise<void> {
  const { MemoryHistory } = await import("../src/channel/master/memory-history.ts");
  const { HistoryRules } = await import("../src/channel/master/history-rules.ts");
  const body = (i: number) => JSON.stringify({ from: "alice", text: `message ${i} `.padEnd(80, "x") }); // ~110 bytes
  const groups = 1000;
  const perGroup = 100;
  const history = new MemoryHistory(new HistoryRules({ size: perGroup, ttlSeconds: 300, groups: [] }));
  Bun.gc(true);
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < groups * perGroup; i++) history.append(`room:${i % groups}`, body(i));
  Bun.gc(true);
  const perMessage = (process.memoryUsage().heapUsed - before) / (groups * perGroup);
  console.log(`master memory: ${perMessage.toFixed(0)} bytes per kept message of ${body(0).length} bytes (${groups} groups x ${perGroup})`);
  history.stop();

  await using redis = await RedisUnderTest.start();
  const { RedisClient } = await import("bun");
  const client = new RedisClient(redis.url);
  const { RedisLink } = await import("../src/channel/cluster/redis-link.ts");
  const { RedisHistory } = await import("../src/channel/cluster/redis-history.ts");
  const link = new RedisLink({ url: redis.url, name: "bench", channel: "bench-bus", onMessage() {}, onUp: async () => {}, log() {}, maxPendingBytes: 8 << 20 });
  link.start();
  while (!link.status.connected) await Bun.sleep(20);
  const store = new RedisHistory(link, "wm:{bench}:", "bench");
  for (let i = 0; i < perGroup * 10; i++) await store.append("room:1", body(i), undefined, { size: perGroup, ttlMs: 300_000, maxBytes: 1 << 30 });
  const bytes = Number(await client.send("MEMORY", ["USAGE", "wm:{bench}:hs:room:1", "SAMPLES", "0"]));
  const meta = Number(await client.send("MEMORY", ["USAGE", "wm:{bench}:h:room:1"]));
  console.log(
    `Redis memory: ${(bytes / perGroup).toFixed(0)} bytes per kept message of ${body(0).length} bytes (stream of ${perGroup}), plus ${meta} bytes per group (epoch and offset)`,
  );
  client.close();
  await link.stop();
}

if (MODE === "local" || MODE === "both") {
  console.log(`one host: 1 instance, 2 workers, ${CLIENTS} clients`);
  await using app = await AppUnderTest.start({ workers: workers(2), files });
  const clients = await connectAll([await app.port("ws")], CLIENTS, () => {});
  await Bun.sleep(1100); // one stats interval, so status counts every connection
  const perProcess = (await app.status()).processes.map((p) => p.connections).join(" + ");
  console.log(`  connections per worker: ${perProcess}`);
  report("sendToAll", await measure(clients));
  await closeClients(clients);
}

if (MODE === "redis" || MODE === "both") {
  console.log(`two instances over Redis: 1 worker each, ${CLIENTS} clients split evenly`);
  await using redis = await RedisUnderTest.start();
  const extra = { name: "bench", cluster: { redis: redis.url } };
  await using a = await AppUnderTest.start({ workers: workers(1), files, extra });
  await using b = await AppUnderTest.start({ workers: workers(1), files, extra });
  for (const app of [a, b]) await app.waitFor(async () => (await app.status()).cluster?.connected, 5000, "cluster joined");
  const clients = await connectAll([await a.port("ws"), await b.port("ws")], CLIENTS, () => {});
  report("sendToAll across instances", await measure(clients));
  const failures = [(await a.status()).cluster?.failures, (await b.status()).cluster?.failures];
  console.log(`  cluster failures: ${failures.join(", ")}`);
  await closeClients(clients);
}

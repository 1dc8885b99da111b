// The 1 MB history flood against the compiled executable: what the master keeps stays under channel.history.maxBytes, and recover pages through it.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { AppUnderTest } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { wsClient } from "../support/clients.ts";

const MiB = 1024 * 1024;
const MAX_BYTES = 8 * MiB; // channel.history.maxBytes's default
/**
 * What the master may hold past the kept history: 8 MB arrive per batch, and trimmed messages are collected after every
 * 16 MiB (measured: peak +46 to +50 MiB; left to the collector +91 to +145 MiB; before the byte bound +950 MiB).
 */
const GC_SLACK = 96 * MiB;

const HANDLER = `
const got = new Map();
async function sync(channel) {
  // Answered once the master has read everything sent before (IPC keeps the order); retried while its queue is full.
  for (;;) {
    try { return await channel.getUidCount(); } catch { await Bun.sleep(20); }
  }
}
export default {
  onGroupMessage(conn, message) {
    const seen = got.get(conn.id) ?? { n: 0, bytes: 0, offsets: [] };
    seen.n++;
    seen.bytes += message.data.length;
    seen.offsets.push(message.offset);
    got.set(conn.id, seen);
  },
  async onMessage(conn, data) {
    const [cmd, a, b] = String(data).split(" ");
    const channel = conn.worker.channel;
    if (cmd === "publish") {
      const text = "x".repeat(Number(b));
      for (let i = 0; i < Number(a); i++) channel.publishToGroup("room", text);
      await sync(channel);
      return conn.send("published");
    }
    if (cmd === "recover") {
      const result = await channel.recover(conn, "room", { offset: Number(a), epoch: b });
      return conn.send(JSON.stringify({ ...result, got: got.get(conn.id) ?? null }));
    }
    if (cmd === "history") {
      let since = 0, n = 0, pages = 0, bytes = 0, history;
      do {
        history = await channel.groupHistory("room", { since });
        pages++;
        n += history.messages.length;
        for (const m of history.messages) bytes += m.data.length;
        since = history.messages.at(-1)?.offset ?? since;
      } while (history.more);
      return conn.send(JSON.stringify({ epoch: history.epoch, offset: history.offset, n, bytes, pages, last: since }));
    }
  },
};`;

function rssBytes(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m)![1]) * 1024;
}

test("1,000 publishToGroup of 1 MB (history size 1000): the master keeps at most maxBytes and its RSS levels off; recover pages through it", async () => {
  await ensureBinary();
  await using app = await AppUnderTest.start({
    mode: "compiled",
    workers: [{ name: "ws", listen: "websocket://127.0.0.1:0", handler: "./h.ts" }],
    files: { "h.ts": HANDLER },
    extra: { channel: { history: { size: 1000, ttlSeconds: 300 } } },
  });
  const url = `ws://127.0.0.1:${await app.port("ws")}/`;
  const publisher = await wsClient(url);
  const master = app.master.pid;
  const before = rssBytes(master);
  let peak = before;
  // In batches of 8 MB, each read by the master before the next (one synchronous burst past 16 MiB would be dropped by the IPC cap).
  for (let batch = 0; batch < 125; batch++) {
    publisher.ws.send("publish 8 1000000");
    expect(await publisher.next(undefined, 30_000)).toBe("published");
    peak = Math.max(peak, rssBytes(master));
  }
  publisher.ws.send("history");
  const history = JSON.parse(await publisher.next(undefined, 10_000));
  console.log(
    `master RSS ${Math.round(before / MiB)} -> peak ${Math.round(peak / MiB)} MiB; kept ${history.n} messages (${history.bytes} bytes) in ${history.pages} pages`,
  );
  expect(history.offset).toBe(1000);
  expect(history.last).toBe(1000);
  expect(history.bytes).toBeLessThanOrEqual(MAX_BYTES);
  expect(history.n).toBeGreaterThanOrEqual(7);
  expect(history.pages).toBe(history.n); // 1 MB messages: one per 1 MiB page
  expect(peak - before).toBeLessThan(MAX_BYTES + GC_SLACK);

  // A client at the oldest kept position gets every kept message, a page at a time.
  const reader = await wsClient(url);
  reader.ws.send(`recover ${1000 - history.n} ${history.epoch}`);
  const recovered = JSON.parse(await reader.next(undefined, 10_000));
  expect(recovered).toMatchObject({ recovered: true, epoch: history.epoch, offset: 1000 });
  expect(recovered.got.n).toBe(history.n);
  // From offset 0 the gap is older than the history: said at once, nothing replayed, the master not grown.
  const late = await wsClient(url);
  late.ws.send(`recover 0 ${history.epoch}`);
  expect(JSON.parse(await late.next(undefined, 10_000))).toMatchObject({ recovered: false, offset: 1000, got: null });
  expect(rssBytes(master) - before).toBeLessThan(MAX_BYTES + GC_SLACK);
}, 120_000);

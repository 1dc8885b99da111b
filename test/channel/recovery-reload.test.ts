// Recovery across a reload of the clients' worker group: closed with 1001, they reconnect and miss nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { AppUnderTest } from "../support/app-under-test.ts";
import { channelClient, closeAll, keptOf, keptUntil, type ChannelClient, type KeptFrame } from "./channel-clients.ts";

const FIXTURE = join(import.meta.dir, "fixtures/channel-app.ts");
const CHUNK = 100;

type Recovered = { recovered: boolean; epoch: string; offset: number };

/** A client that, whenever it is closed, reconnects and recovers from the last kept message it holds. */
async function resumingClient(url: string, group: string) {
  const frames: KeptFrame[] = [];
  const closeCodes: number[] = [];
  const results: Recovered[] = [];
  const heldAtClose: number[] = [];
  let current: ChannelClient = await channelClient(url);
  let position: { offset?: number; epoch?: string } = {};
  let stopped = false;
  const attach = async (client: ChannelClient) => {
    const result = await client.cmd<Recovered>({ cmd: "recover", group, ...position });
    results.push(result);
    void client.closed.then(async (event) => {
      frames.push(...keptOf(client, group));
      closeCodes.push(event.code);
      heldAtClose.push(frames.length);
      const last = frames.at(-1);
      position = last ? { offset: last.offset, epoch: last.epoch } : { offset: result.offset, epoch: result.epoch };
      if (stopped) return;
      current = await channelClient(url);
      await attach(current);
    });
  };
  await attach(current);
  return {
    closeCodes,
    heldAtClose,
    results,
    get current() {
      return current;
    },
    /** Every kept message this client saw over all its connections, once the last one holds `data`. */
    async all(data: string): Promise<KeptFrame[]> {
      await keptUntil(current, group, data, 15_000);
      stopped = true;
      return [...frames, ...keptOf(current, group)];
    },
  };
}

describe("recovery across a reload", () => {
  let app: AppUnderTest;
  let publisher: ChannelClient;

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [
        { name: "ws", listen: "websocket://127.0.0.1:0", count: 2, handler: FIXTURE },
        { name: "side", listen: "websocket://127.0.0.1:0", count: 1, handler: FIXTURE },
      ],
      extra: { reload: { healthySeconds: 0.2 }, channel: { history: { size: 10_000, ttlSeconds: 300 } } },
    });
    publisher = await channelClient(`ws://127.0.0.1:${await app.port("side")}`);
  }, 30_000);

  afterAll(async () => {
    await closeAll([publisher].filter(Boolean));
    await app?.[Symbol.asyncDispose]();
  });

  test("clients closed with 1001 by a reload of their group reconnect and receive every message exactly once", async () => {
    const url = `ws://127.0.0.1:${await app.port("ws")}`;
    const clients = await Promise.all(Array.from({ length: 4 }, () => resumingClient(url, "stream")));
    const oldPids = await app.pids("ws");
    // The publisher keeps going, chunk after chunk, until the reload has closed every client, and one chunk more.
    let chunks = 0;
    const publishing = (async () => {
      for (let closedAll = false; !closedAll; ) {
        closedAll = clients.every((c) => c.closeCodes.length > 0);
        await publisher.cmd({ cmd: "burst", group: "stream", prefix: `c${chunks}`, count: CHUNK });
        chunks++;
        if (chunks > 200) throw new Error("the reload never closed the clients");
      }
    })();
    await keptUntil(clients[0]!.current, "stream", "c0-50");
    await app.api("/api/reload", { method: "POST", body: JSON.stringify({ group: "ws" }) });
    await publishing;
    const TOTAL = chunks * CHUNK;
    for (const client of clients) {
      const seen = await client.all(`c${chunks - 1}-${CHUNK}`);
      expect(client.closeCodes).toContain(1001);
      // The reload closed it in the middle of the stream: the rest came through recover().
      expect(client.heldAtClose[0]).toBeLessThan(TOTAL);
      expect(seen.map((k) => k.offset)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
      expect(client.results.slice(1).every((r) => r.recovered)).toBe(true);
    }
    const newPids = await app.pids("ws");
    expect(newPids.some((pid) => oldPids.includes(pid))).toBe(false);
    await closeAll(clients.map((c) => c.current));
  }, 60_000);
});

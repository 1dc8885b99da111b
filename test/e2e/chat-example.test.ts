// examples/chat.ts: rooms through the channel, so clients on two different worker processes hear each other.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { AppUnderTest, REPO } from "../support/app-under-test.ts";
import { wsClient, type WsClient } from "../support/clients.ts";
import { RedisUnderTest } from "../channel/redis-server.ts";

/** Generous: a loaded machine (seven test runs on two cores) can take seconds to relay one message. */
const WAIT = 10_000;

/** Opens clients until two were welcomed by different pids (the kernel spreads connections across processes). */
async function onTwoPids(url: string): Promise<[WsClient, WsClient, string, string]> {
  const byPid = new Map<string, WsClient>();
  for (let i = 0; byPid.size < 2 && i < 50; i++) {
    const client = await wsClient(url);
    const pid = /on pid (\d+)/.exec(await client.next((m) => m.startsWith("welcome"), WAIT))![1]!;
    if (byPid.has(pid)) client.ws.close();
    else byPid.set(pid, client);
  }
  if (byPid.size < 2) throw new Error("every client landed on the same process");
  const [[pidA, a], [pidB, b]] = [...byPid] as [[string, WsClient], [string, WsClient]];
  return [a, b, pidA, pidB];
}

test("the bundled chat: a room reaches its members on both processes, /join moves between rooms, leaving is said", async () => {
  await using app = await AppUnderTest.start({
    workers: [{ name: "chat", listen: "websocket://127.0.0.1:0", count: 2, handler: join(REPO, "examples/chat.ts") }],
  });
  const [a, b, pidA, pidB] = await onTwoPids(`ws://127.0.0.1:${await app.port("chat")}`);
  expect(pidA).not.toBe(pidB);
  a.ws.send("/nick alice");
  await b.next((m) => m.endsWith("is now alice"), WAIT);
  a.ws.send("hello from the first process");
  expect(await b.next((m) => m.includes("hello from"), WAIT)).toBe("[lobby] alice: hello from the first process");

  b.ws.send("/join kitchen");
  await b.next((m) => m.endsWith("joined kitchen"), WAIT);
  a.ws.send("/join kitchen");
  expect(await b.next((m) => m.startsWith("alice joined"), WAIT)).toBe("alice joined kitchen");
  b.ws.send("from the other side");
  expect(await a.next((m) => m.includes("from the other side"), WAIT)).toMatch(/^\[kitchen\] #\d+@\d+: from the other side$/);

  a.ws.close();
  expect(await b.next((m) => m.startsWith("alice left"), WAIT)).toBe("alice left kitchen");
  b.ws.close();
});

test("the bundled chat across two hosts (cluster.redis): a room reaches a client of the other instance", async () => {
  await using redis = await RedisUnderTest.start();
  const host = () =>
    AppUnderTest.start({
      extra: { name: "chat-hosts", cluster: { redis: redis.url } },
      workers: [{ name: "chat", listen: "websocket://127.0.0.1:0", handler: join(REPO, "examples/chat.ts") }],
    });
  await using hostA = await host();
  await using hostB = await host();
  const a = await wsClient(`ws://127.0.0.1:${await hostA.port("chat")}`);
  const b = await wsClient(`ws://127.0.0.1:${await hostB.port("chat")}`);
  await Promise.all([a.next((m) => m.startsWith("welcome"), WAIT), b.next((m) => m.startsWith("welcome"), WAIT)]);
  // The instances subscribe to the bus as they start: say it until the other host hears (a condition, not a sleep).
  const heard = b.next((m) => m.includes("over the bus"), 20_000);
  let said = 0;
  const timer = setInterval(() => a.ws.send(`over the bus ${++said}`), 200);
  try {
    expect(await heard).toMatch(/^\[lobby\] #\d+@\d+: over the bus \d+$/);
  } finally {
    clearInterval(timer);
    a.ws.close();
    b.ws.close();
  }
}, 60_000);

// Torture: abrupt disconnects leak nothing; random bytes and malformed frames into every protocol close cleanly, no worker exits.
import { expect, test } from "bun:test";
import net from "node:net";
import { AppUnderTest } from "../support/app-under-test.ts";
import { askLine, frame, streamClient, wsClient } from "../support/clients.ts";
import { settlesWithin } from "../support/wait.ts";

const ECHO = `export default {
  onMessage(conn, data) { conn.send(typeof data === "object" && !(data instanceof Uint8Array) ? { echo: data } : "ok " + String(data)); },
  fetch: () => new Response("http ok"),
};`;

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Random bytes that never complete a line: only maxPackageSize can end them. */
function randomLineless(n: number): Uint8Array {
  return randomBytes(n).map((b) => (b === 0x0a ? 0x20 : b));
}

async function connectAndReset(port: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write("half a line without end");
      socket.resetAndDestroy();
      resolve();
    });
    socket.on("error", () => resolve());
  });
}

test("5,000 connections dropped abruptly (RST): the connection registry returns to 0", async () => {
  await using app = await AppUnderTest.start({ workers: [{ name: "t", listen: "text://127.0.0.1:0", count: 2, handler: "./e.ts" }], files: { "e.ts": ECHO } });
  const port = await app.port("t");
  for (let batch = 0; batch < 20; batch++) await Promise.all(Array.from({ length: 250 }, () => connectAndReset(port)));
  const status = await app.waitFor(
    async () => {
      const s = await app.status();
      return s.processes.every((p) => p.connections === 0) ? s : undefined;
    },
    10_000,
    "connections back to 0",
  );
  expect(status.processes.every((p) => p.restarts === 0)).toBe(true);
  expect(await askLine({ port }, "alive")).toBe("ok alive");
}, 60_000);

test("random bytes and malformed frames into text, frame, json, websocket and http: clear closes, counters move, no worker exits", async () => {
  await using app = await AppUnderTest.start({
    workers: [
      { name: "text", listen: "text://127.0.0.1:0", handler: "./e.ts", maxPackageSize: 4096 },
      { name: "frame", listen: "frame://127.0.0.1:0", handler: "./e.ts", maxPackageSize: 4096 },
      { name: "json", listen: "tcp://127.0.0.1:0", protocol: "json", handler: "./e.ts", maxPackageSize: 4096 },
      { name: "ws", listen: "websocket://127.0.0.1:0", handler: "./e.ts", maxPackageSize: 4096 },
      { name: "http", listen: "http://127.0.0.1:0", handler: "./e.ts" },
    ],
    files: { "e.ts": ECHO },
  });
  const before = new Map((await app.status()).processes.map((p) => [p.group, p.pid]));
  const ports = Object.fromEntries(await Promise.all(["text", "frame", "json", "ws", "http"].map(async (g) => [g, await app.port(g)] as const)));

  const attacks: [string, Uint8Array | string][] = [
    ["text", randomLineless(10_000)], // no newline within maxPackageSize
    ["frame", Buffer.from([0, 0, 0, 2, 1, 2, 3])], // total length < 4
    ["frame", Buffer.from([0x7f, 0xff, 0xff, 0xff])], // claims 2 GiB
    ["json", "{not json}\n"],
    ["json", randomLineless(9000)],
    [
      "ws",
      "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ],
    ["http", "\x00\x01GARBAGE / HTTP/9.9\r\n\r\n"],
    ["http", `GET /${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
  ];
  for (const [group, payload] of attacks) {
    const client = await streamClient({ port: ports[group]! });
    client.write(payload);
    if (group === "ws") {
      await client.until((t) => t.includes("101"));
      client.write(Buffer.from([0x81, 0x05, 104, 101, 108, 108, 111])); // an unmasked frame: clients must mask
    }
    await settlesWithin(client.closed, 3000); // the server closes most of these; either way the processes below must be unharmed
    client.socket.end();
  }

  const after = await app.status();
  for (const proc of after.processes) {
    expect(proc.pid).toBe(before.get(proc.group)!);
    expect(proc.restarts).toBe(0);
  }
  const protocolErrors = (group: string) => after.processes.find((p) => p.group === group)!.protocolErrors;
  await app.waitFor(
    async () => {
      const s = await app.status();
      const errors = (g: string) => s.processes.find((p) => p.group === g)!.protocolErrors;
      return errors("text") >= 1 && errors("frame") >= 2 && errors("json") >= 2 && errors("ws") >= 1;
    },
    3000,
    "protocol error counters",
  );
  expect(protocolErrors("http")).toBe(0);

  // Valid input still passes everywhere.
  expect(await askLine({ port: ports.text! }, "fine")).toBe("ok fine");
  expect(await askLine({ port: ports.json! }, JSON.stringify({ a: 1 }))).toBe(JSON.stringify({ echo: { a: 1 } }));
  const framed = await streamClient({ port: ports.frame! });
  framed.write(frame("good"));
  expect(await framed.until((t) => t.includes("ok good"))).toContain("ok good");
  framed.socket.end();
  const ws = await wsClient(`ws://127.0.0.1:${ports.ws}`);
  ws.ws.send("hello");
  expect(await ws.next()).toBe("ok hello");
  ws.ws.close();
  expect(await (await fetch(`http://127.0.0.1:${ports.http}/`)).text()).toBe("http ok");
}, 60_000);

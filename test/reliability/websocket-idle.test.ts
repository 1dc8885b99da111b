// idleTimeout on websocket:// groups: a peer that answers nothing is closed; a client that answers Bun's pings stays.
import { expect, test } from "bun:test";
import { AppUnderTest } from "../support/app-under-test.ts";
import { streamClient, wsClient } from "../support/clients.ts";
import { within } from "../support/wait.ts";

const HANDSHAKE =
  "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

test("websocket idleTimeout 3: a silent raw peer is closed (not as a protocol error), a pinged client stays open", async () => {
  await using app = await AppUnderTest.start({
    workers: [{ name: "ws", listen: "websocket://127.0.0.1:0", handler: "./h.ts", idleTimeout: 3 }],
    files: { "h.ts": `export default { onMessage(conn, m) { conn.send("ok " + m); } };` },
  });
  const port = await app.port("ws");
  const live = await wsClient(`ws://127.0.0.1:${port}`); // Bun's client answers pings by itself
  let liveClosed = false;
  live.closed.then(() => (liveClosed = true));
  const silent = await streamClient({ port });
  silent.write(HANDSHAKE);
  await silent.until((t) => t.includes("101 Switching Protocols"));
  // Bun's default (120 s) would keep it open: with the group's 3 s it is pinged, then closed (Bun ticks every 4 s).
  await within(silent.closed, 20_000, "the silent peer to be closed");
  expect(silent.received().includes(Buffer.from([0x89, 0x00]))).toBe(true); // it was pinged (an empty ping frame) first
  expect(liveClosed).toBe(false);
  live.ws.send("still here");
  expect(await live.next()).toBe("ok still here");
  live.ws.close();
  const proc = (await app.status()).processes[0]!;
  expect(proc.protocolErrors).toBe(0);
}, 40_000);

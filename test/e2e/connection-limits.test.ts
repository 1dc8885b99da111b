// maxConnections and maxConnectionsPerIp on Bun.serve groups: a WebSocket handshake or a request past them gets a 503 and a close.
import { expect, test } from "bun:test";
import net from "node:net";
import { AppUnderTest } from "../support/app-under-test.ts";
import { wsClient } from "../support/clients.ts";

/** The status line of the answer to a raw request sent from `localAddress`; resolves once it arrives or the socket closes. */
function statusFrom(port: number, localAddress: string, request: string): { status: Promise<string>; socket: net.Socket } {
  const { promise, resolve } = Promise.withResolvers<string>();
  const socket = net.connect({ port, host: "127.0.0.1", localAddress }, () => socket.write(request));
  let got = "";
  socket.on("data", (d) => {
    got += d;
    if (got.includes("\r\n")) resolve(got.slice(0, got.indexOf("\r\n")));
  });
  socket.on("error", () => {});
  socket.on("close", () => resolve(got.split("\r\n")[0] ?? ""));
  return { status: promise, socket };
}

const UPGRADE =
  "GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

test("websocket:// maxConnections 2: a third handshake is answered 503 and closed; a close makes room again", async () => {
  await using app = await AppUnderTest.start({
    workers: [{ name: "ws", listen: "websocket://127.0.0.1:0", handler: "./h.ts", maxConnections: 2 }],
    files: { "h.ts": `export default { onMessage(conn, m) { conn.send(m); } };` },
  });
  const port = await app.port("ws");
  const first = await wsClient(`ws://127.0.0.1:${port}/`);
  const second = await wsClient(`ws://127.0.0.1:${port}/`);
  const third = statusFrom(port, "127.0.0.1", UPGRADE);
  expect(await third.status).toBe("HTTP/1.1 503 Service Unavailable");
  third.socket.destroy();
  first.ws.close();
  await first.closed;
  const again = await app.waitFor(() => wsClient(`ws://127.0.0.1:${port}/`).catch(() => undefined), 5000, "a handshake admitted again");
  again.ws.send("still here");
  expect(await again.next()).toBe("still here");
  again.ws.close();
  second.ws.close();
  const row = await app.waitFor(async () => (await app.status()).processes.find((p) => p.group === "ws"));
  expect(row.restarts ?? 0).toBe(0);
}, 30_000);

test("http:// maxConnectionsPerIp 1: a second request in flight from one address gets 503, another address is served", async () => {
  await using app = await AppUnderTest.start({
    workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts", maxConnectionsPerIp: 1 }],
    files: {
      "web.ts": `let release; const held = new Promise((r) => (release = r));
export default { fetch: async (r) => { if (new URL(r.url).pathname === "/hold") await held; else release(); return new Response("ok"); } };`,
    },
  });
  const port = await app.port("web");
  const held = statusFrom(port, "127.0.0.2", "GET /hold HTTP/1.1\r\nHost: t\r\n\r\n");
  await app.waitFor(async () => (await app.status()).processes.find((p) => p.group === "web" && p.connections >= 1), 5000, "the held request in flight");
  const crowded = statusFrom(port, "127.0.0.2", "GET /other HTTP/1.1\r\nHost: t\r\n\r\n");
  expect(await crowded.status).toBe("HTTP/1.1 503 Service Unavailable");
  const other = statusFrom(port, "127.0.0.3", "GET /release HTTP/1.1\r\nHost: t\r\n\r\n");
  expect(await other.status).toBe("HTTP/1.1 200 OK");
  expect(await held.status).toBe("HTTP/1.1 200 OK");
  for (const s of [held, crowded, other]) s.socket.destroy();
}, 30_000);

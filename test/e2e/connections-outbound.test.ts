// worker.connect(): outbound text, ws and udp connections with the Connection API, in the registry, reconnecting.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import dgram from "node:dgram";
import type { Server, TCPSocketListener } from "bun";
import { AppUnderTest } from "../support/app-under-test.ts";
import { askLine } from "../support/clients.ts";

const HANDLER = `export default {
  onWorkerStart(worker) {
    const env = process.env;
    worker.connect("text://127.0.0.1:" + env.TEXT_PORT, {
      onConnect(conn) { conn.send("hello from " + process.pid); },
      onMessage(conn, line) { console.log("text upstream said " + line); },
      onClose(conn) { console.log("text link closed"); conn.reconnect(0.2); },
      onError(conn, err) { console.log("text link error " + err.code); },
    });
    const ws = worker.connect("ws://127.0.0.1:" + env.WS_PORT + "/feed", {
      onMessage(conn, data) { console.log("ws upstream said " + data); },
    });
    ws.send("queued before open");
    const udp = worker.connect("udp://127.0.0.1:" + env.UDP_PORT, {
      onConnect(conn) { conn.send("ping over udp"); },
      onMessage(conn, data) { console.log("udp upstream said " + data); },
    });
  },
  onMessage(conn, line) {
    conn.send(JSON.stringify([...conn.worker.connections.values()].filter((c) => c.outbound).map((c) => c.protocol).sort()));
  },
};`;

describe("outbound connections", () => {
  let app: AppUnderTest;
  let textPort = 0;
  let text: TCPSocketListener<undefined>;
  let ws: Server<undefined>;
  let udp: dgram.Socket;
  let hellos = 0;

  const listenText = (port: number) =>
    Bun.listen({
      hostname: "127.0.0.1",
      port,
      socket: {
        data(socket, chunk) {
          if (chunk.toString().startsWith("hello from")) {
            hellos++;
            socket.write(`welcome #${hellos}\n`);
          }
        },
      },
    });

  beforeAll(async () => {
    text = listenText(0);
    textPort = text.port;
    ws = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (req, server) => (server.upgrade(req) ? undefined : new Response("no")),
      websocket: { message: (socket, message) => void socket.send(`echo ${message}`) },
    });
    udp = dgram.createSocket("udp4");
    udp.on("message", (message, rinfo) => udp.send(`pong for ${message}`, rinfo.port, rinfo.address));
    await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", () => resolve()));
    app = await AppUnderTest.start({
      workers: [
        {
          name: "client",
          listen: "text://127.0.0.1:0",
          handler: "./client.ts",
          env: { TEXT_PORT: String(textPort), WS_PORT: String(ws.port), UDP_PORT: String(udp.address().port) },
        },
      ],
      files: { "client.ts": HANDLER },
    });
  });
  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
    text?.stop(true);
    ws?.stop(true);
    udp?.close();
  });

  const saw = (line: string) => app.waitFor(() => app.output.some((l) => l.includes(line)), 5000, line);

  test("text, ws and udp links talk, and show in the registry as outbound", async () => {
    await saw("text upstream said welcome #1");
    await saw("ws upstream said echo queued before open");
    await saw("udp upstream said pong for ping over udp");
    const list = JSON.parse(await askLine({ port: await app.port("client") }, "list"));
    expect(list).toEqual(["text", "udp", "websocket"]);
  });

  test("the text link reconnects after its server restarts", async () => {
    await saw("text upstream said welcome #1");
    text.stop(true);
    await saw("text link closed");
    // Attempts while the server is down fail with E_CONNECT and go on (onClose -> reconnect(0.2)).
    await saw("text link error E_CONNECT");
    text = listenText(textPort);
    await saw("text upstream said welcome #2");
    expect((await app.status()).processes[0]!.restarts).toBe(0);
  });
});

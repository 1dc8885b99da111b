// The admin listener's cap: idle strangers make room first, operators and busy requests are kept, the rest is refused and counted.
import { afterEach, expect, test } from "bun:test";
import net from "node:net";
import { listenAdmin, type AdminListener } from "../../src/admin/admin-listener.ts";
import type { AdminFetch } from "../../src/admin/admin-connection.ts";
import { waitFor } from "../support/wait.ts";

let listener: AdminListener | undefined;
const sockets: net.Socket[] = [];

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  listener?.stop();
});

/** A raw keep-alive client: sends one request, resolves with the first answer's text; `closed` says whether the server hung up. */
async function client(port: number, headers = ""): Promise<{ socket: net.Socket; answer: string; closed: () => boolean }> {
  const socket = net.connect({ host: "127.0.0.1", port });
  sockets.push(socket);
  let closed = false;
  socket.on("close", () => void (closed = true));
  socket.on("error", () => {});
  const answer = new Promise<string>((resolve) => {
    socket.once("data", (chunk) => resolve(String(chunk)));
    socket.once("close", () => resolve(""));
  });
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n${headers}\r\n`);
  return { socket, answer: await answer, closed: () => closed };
}

const auth: AdminFetch = (request) => new Response("ok", { status: request.headers.get("authorization") === "Bearer good" ? 200 : 401 });

test("at the cap, the idle unauthenticated connection quiet longest is closed to admit a new one", async () => {
  listener = listenAdmin({ hostname: "127.0.0.1", port: 0, maxConnections: 3, fetch: () => new Response("ok") });
  const first = await client(listener.port);
  const others = [await client(listener.port), await client(listener.port)];
  expect([first, ...others].every((c) => c.answer.startsWith("HTTP/1.1 200 OK"))).toBe(true);
  const fourth = await client(listener.port);
  expect(fourth.answer).toStartWith("HTTP/1.1 200 OK");
  await waitFor(() => first.closed(), { what: "the oldest idle connection to be closed" });
  expect(others.some((c) => c.closed())).toBe(false);
  expect(listener.counts).toMatchObject({ open: 3, evicted: 1, refused: 0 });
});

test("connections whose requests were authenticated are kept: past the cap a new one is refused with 503, counted", async () => {
  listener = listenAdmin({ hostname: "127.0.0.1", port: 0, maxConnections: 2, fetch: auth });
  const operators = [await client(listener.port, "Authorization: Bearer good\r\n"), await client(listener.port, "Authorization: Bearer good\r\n")];
  const stranger = await client(listener.port, "Authorization: Bearer forged\r\n");
  expect(stranger.answer).toStartWith("HTTP/1.1 503");
  expect(stranger.answer).toContain("admin.maxConnections");
  expect(operators.some((c) => c.closed())).toBe(false);
  expect(listener.counts).toMatchObject({ open: 2, refused: 1, evicted: 0 });
});

test("a forged credential does not count: its connection is evicted like any stranger's", async () => {
  listener = listenAdmin({ hostname: "127.0.0.1", port: 0, maxConnections: 1, fetch: auth });
  const forged = await client(listener.port, "Authorization: Bearer forged\r\n");
  expect(forged.answer).toStartWith("HTTP/1.1 401");
  expect((await client(listener.port, "Authorization: Bearer good\r\n")).answer).toStartWith("HTTP/1.1 200");
  await waitFor(() => forged.closed(), { what: "the forged connection to be evicted" });
});

test("a stream the app keeps open is sent chunked, and cancelled when the client goes", async () => {
  let cancelled = false;
  const fetch: AdminFetch = (request, env) => {
    env.timeout?.(request, 0);
    let timer: ReturnType<typeof setInterval>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setInterval(() => controller.enqueue(new TextEncoder().encode("data: tick\n\n")), 20);
      },
      cancel() {
        clearInterval(timer);
        cancelled = true;
      },
    });
    return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
  };
  listener = listenAdmin({ hostname: "127.0.0.1", port: 0, maxConnections: 4, fetch });
  const stream = await client(listener.port);
  expect(stream.answer).toContain("transfer-encoding: chunked");
  stream.socket.destroy();
  await waitFor(() => cancelled, { what: "the app's stream to be cancelled" });
  await waitFor(() => listener!.counts.open === 0, { what: "the connection to be forgotten" });
});

test("a body announced with Expect: 100-continue is asked for at once, then read whole", async () => {
  listener = listenAdmin({ hostname: "127.0.0.1", port: 0, maxConnections: 4, fetch: async (request) => new Response(`got ${(await request.text()).length}`) });
  const socket = net.connect({ host: "127.0.0.1", port: listener.port });
  sockets.push(socket);
  let received = "";
  socket.on("data", (chunk) => void (received += String(chunk)));
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\nExpect: 100-continue\r\n\r\n");
  await waitFor(() => received.startsWith("HTTP/1.1 100 Continue\r\n\r\n"), { what: "100 Continue" });
  socket.write("y".repeat(2000));
  await waitFor(() => received.endsWith("got 2000"), { what: "the answer to the whole body" });
});

test("the request URL names the host the client asked for (the same-origin check compares it with Origin)", async () => {
  listener = listenAdmin({ hostname: "127.0.0.1", port: 0, maxConnections: 4, fetch: (request) => new Response(new URL(request.url).origin) });
  const socket = net.connect({ host: "127.0.0.1", port: listener.port });
  sockets.push(socket);
  let received = "";
  socket.on("data", (chunk) => void (received += String(chunk)));
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(`GET / HTTP/1.1\r\nHost: localhost:${listener.port}\r\n\r\nGET / HTTP/1.1\r\nHost: bad/host\r\n\r\n`);
  await waitFor(() => received.includes(`http://localhost:${listener!.port}`) && received.includes(`http://127.0.0.1:${listener!.port}`), {
    what: "both answers",
  });
});

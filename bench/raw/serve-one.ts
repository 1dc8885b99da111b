// Raw-Bun baseline, one process: the same work as bench/app/ with no framework (`bun serve-one.ts <http|routes|ws|text|frame|json|udp|realistic> <port>`).
import dgram from "node:dgram";
import type { Socket } from "bun";
import { plainRealisticFetch, realisticApp } from "../app/realistic-app.ts";

const HOST = "127.0.0.1";
const [kind, portArg] = process.argv.slice(2);
const port = Number(portArg);

function serveHttp(): void {
  Bun.serve({ hostname: HOST, port, reusePort: true, fetch: () => new Response("Hello World") });
}

/** A native static route: Bun answers it without entering JavaScript; fetch only for other paths. */
function serveRoutes(): void {
  Bun.serve({
    hostname: HOST,
    port,
    reusePort: true,
    routes: { "/": new Response("Hello World") },
    fetch: () => new Response("Not Found", { status: 404 }),
  });
}

function serveWebSocket(): void {
  Bun.serve({
    hostname: HOST,
    port,
    reusePort: true,
    fetch: (request, server) => (server.upgrade(request) ? undefined : new Response("Upgrade Required", { status: 426 })),
    websocket: {
      message(ws, message) {
        ws.send(message);
      },
    },
  });
}

/** A stream echo with no framework: `each` answers every complete packet of `buffer` and returns where the rest starts. */
function serveStream(each: (socket: Socket<{ tail: Buffer | null }>, buffer: Buffer) => number): void {
  Bun.listen<{ tail: Buffer | null }>({
    hostname: HOST,
    port,
    // Honoured at run time though the listen options' type lacks it.
    ...({ reusePort: true } as object),
    socket: {
      open(socket) {
        socket.data = { tail: null };
      },
      data(socket, chunk) {
        const tail = socket.data.tail;
        const buffer = tail ? Buffer.concat([tail, chunk]) : chunk;
        const start = each(socket, buffer);
        // The load keeps a small window in flight, so writes are never partial: no send queue here.
        socket.data.tail = start < buffer.length ? Buffer.from(buffer.subarray(start)) : null;
      },
    },
  });
}

/** Every "\n"-ended line of `buffer`, without its "\r\n", as a string; returns where the unfinished rest starts. */
function eachLine(buffer: Buffer, line: (text: string) => void): number {
  let start = 0;
  for (let nl = buffer.indexOf(10, start); nl !== -1; nl = buffer.indexOf(10, start)) {
    const end = nl > start && buffer[nl - 1] === 13 ? nl - 1 : nl;
    line(buffer.toString("utf8", start, end));
    start = nl + 1;
  }
  return start;
}

/** Newline-delimited echo: each line decoded to a string and written back with its "\n", as a text:// handler sees it. */
const serveText = () => serveStream((socket, buffer) => eachLine(buffer, (line) => socket.write(`${line}\n`)));

/** One JSON value a line: parsed, then stringified back with its "\n", as a json handler sees and sends it. */
const serveJson = () => serveStream((socket, buffer) => eachLine(buffer, (line) => socket.write(`${JSON.stringify(JSON.parse(line))}\n`)));

/** Workerman's frame: a 4-byte big-endian total length, then the body; each body copied out and framed back. */
const serveFrame = () =>
  serveStream((socket, buffer) => {
    let start = 0;
    while (buffer.length - start >= 4) {
      const total = buffer.readUInt32BE(start);
      if (total < 4 || buffer.length - start < total) break;
      const body = Buffer.from(buffer.subarray(start + 4, start + total));
      const out = Buffer.allocUnsafe(4 + body.length);
      out.writeUInt32BE(4 + body.length, 0);
      out.set(body, 4);
      socket.write(out);
      start += total;
    }
    return start;
  });

function serveUdp(): Promise<void> {
  const socket = dgram.createSocket({ type: "udp4", reuseAddr: true, reusePort: true } as dgram.SocketOptions);
  socket.on("message", (message, from) => socket.send(message, from.port, from.address));
  // A reply to a client socket that has closed comes back as ECONNREFUSED: ignore it, as the framework does.
  socket.on("error", () => {});
  return new Promise((resolve) => socket.bind(port, HOST, resolve));
}

/** The same Hono router as bench/app/realistic.ts, through fetch; BENCH_REALISTIC_ROUTER=plain: no Hono (profiling). */
function serveRealistic(): void {
  const app = realisticApp();
  const fetch = process.env.BENCH_REALISTIC_ROUTER === "plain" ? plainRealisticFetch() : (request: Request) => app.fetch(request);
  Bun.serve({ hostname: HOST, port, reusePort: true, fetch });
}

const SERVERS: Record<string, () => void | Promise<void>> = {
  http: serveHttp,
  routes: serveRoutes,
  ws: serveWebSocket,
  text: serveText,
  frame: serveFrame,
  json: serveJson,
  udp: serveUdp,
  realistic: serveRealistic,
};
const serve = SERVERS[kind ?? ""];
if (!serve || !Number.isInteger(port) || port <= 0) {
  console.error("usage: bun bench/raw/serve-one.ts <http|routes|ws|text|frame|json|udp|realistic> <port>");
  process.exit(2);
}
await serve();
// Exit through process.exit so that a profiler (BUN_OPTIONS=--cpu-prof) writes its file.
process.on("SIGTERM", () => process.exit(0));
// Under raw-bun.ts: say ready, and leave with the parent.
if (process.send) {
  process.on("disconnect", () => process.exit(0));
  process.send({ ready: kind });
}

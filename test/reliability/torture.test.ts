// Torture: every listener kind under hostile input for a few seconds; then the same pids serve a normal client on each.
import { expect, test } from "bun:test";
import dgram from "node:dgram";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppUnderTest } from "../support/app-under-test.ts";
import { askLine, frame, streamClient, udpAsk, wsClient } from "../support/clients.ts";

const ATTACK_MS = 4000;
const MAX_PACKAGE = 4096;
const HANDLER = `export default {
  onMessage(conn, m) { conn.send(typeof m === "object" && !(m instanceof Uint8Array) ? { echo: m } : "ok " + String(m)); },
  fetch: () => new Response("http ok"),
};`;
// A 1-byte length then the body; input refuses a zero length (-1), decode throws on "!".
const CUSTOM = `export function input(b) { if (b.length < 1) return 0; if (b[0] === 0) return -1; return b.length >= 1 + b[0] ? 1 + b[0] : 0; }
export function decode(p) { const s = new TextDecoder().decode(p.subarray(1)); if (s.startsWith("!")) throw new Error("bang"); return s; }
export function encode(m) { const body = new TextEncoder().encode(String(m)); return new Uint8Array([body.length, ...body]); }`;
const UPGRADE =
  "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

const random = (n: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(n)));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;
/** A masked client frame header with any opcode and a claimed length (the body may never come). */
function wsFrame(opcode: number, body: Buffer, { fin = true, masked = true, claimed = body.length } = {}): Buffer {
  const head = [(fin ? 0x80 : 0) | opcode];
  if (claimed < 126) head.push((masked ? 0x80 : 0) | claimed);
  else head.push((masked ? 0x80 : 0) | 127, 0, 0, 0, 0, (claimed >>> 24) & 0xff, (claimed >>> 16) & 0xff, (claimed >>> 8) & 0xff, claimed & 0xff);
  return Buffer.concat([Buffer.from(head), masked ? Buffer.alloc(4) : Buffer.alloc(0), body]);
}

type Target = { port: number } | { path: string };
/** What a hostile peer writes on one connection, by listener kind. */
const attacks: Record<string, (() => Uint8Array | string)[]> = {
  stream: [() => random(1 + Math.floor(Math.random() * 20_000)), () => random(MAX_PACKAGE * 3)],
  text: [() => random(MAX_PACKAGE * 2).map((b) => (b === 10 ? 32 : b)), () => "ok line\n" + "x".repeat(MAX_PACKAGE + 10)],
  frame: [() => Buffer.from([0, 0, 0, 1]), () => Buffer.from([0x7f, 0xff, 0xff, 0xff]), () => Buffer.concat([frame("fine"), random(64)])],
  json: [() => "{not json}\n", () => '{"a":1}\n' + "[".repeat(5000) + "\n", () => random(3000)],
  custom: [() => Buffer.from([0, 1, 2]), () => Buffer.from([3, 0x21, 0x21, 0x21]), () => Buffer.from([200, 1, 2, 3])],
  http: [
    () => `GET /${"a".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    () => `GET / HTTP/1.1\r\nHost: x\r\n${"X-Big: " + "b".repeat(8000) + "\r\n".repeat(1)}`.repeat(20) + "\r\n",
    () => "\x00\x01GARBAGE / HTTP/9.9\r\n\r\n",
    () => "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    () => random(5000),
  ],
  websocket: [
    () => UPGRADE + "\r\n" + wsFrame(1, Buffer.from("unmasked"), { masked: false }).toString("latin1"),
    () => Buffer.concat([Buffer.from(UPGRADE + "\r\n"), wsFrame(0x3, Buffer.from("reserved opcode"))]),
    () => Buffer.concat([Buffer.from(UPGRADE + "\r\n"), wsFrame(1, Buffer.alloc(0), { claimed: 2 ** 31 })]),
    () => Buffer.concat([Buffer.from(UPGRADE + "\r\n"), wsFrame(1, Buffer.from([0xff, 0xfe, 0xfd]))]), // not UTF-8
    () => Buffer.concat([Buffer.from(UPGRADE + "\r\n"), wsFrame(0x9, Buffer.from("fragmented ping"), { fin: false })]),
    () => UPGRADE + `X-Huge: ${"h".repeat(100_000)}\r\n\r\n`,
    () => random(2000),
  ],
};

/** One hostile connection: write, then either drop it, half-close it, or leave it for the server to close. */
function hostileConnection(target: Target, payload: Uint8Array | string): Promise<void> {
  return new Promise((resolve) => {
    const socket = "port" in target ? net.connect(target.port, "127.0.0.1") : net.connect(target.path);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, 1500);
    socket.on("error", done);
    socket.on("close", done);
    socket.on("connect", () => {
      socket.write(payload);
      const ending = Math.random();
      if (ending < 0.3) socket.resetAndDestroy();
      else if (ending < 0.6) socket.end(); // half-open: our side is done writing, theirs may still answer
    });
  });
}

/** Connections that send one byte a second and never finish anything. */
function slowloris(target: Target, count: number, opening: string): () => void {
  const sockets = Array.from({ length: count }, () => {
    const socket = "port" in target ? net.connect(target.port, "127.0.0.1") : net.connect(target.path);
    socket.on("error", () => {});
    return socket;
  });
  let at = 0;
  const timer = setInterval(() => {
    for (const socket of sockets) if (!socket.destroyed && socket.writable) socket.write(opening[at % opening.length]!);
    at++;
  }, 1000);
  return () => {
    clearInterval(timer);
    for (const socket of sockets) socket.destroy();
  };
}

async function flood(until: number, target: Target, kind: string): Promise<number> {
  let sent = 0;
  while (Date.now() < until) {
    await Promise.all(Array.from({ length: 4 }, () => hostileConnection(target, pick(attacks[kind]!)())));
    sent += 4;
  }
  return sent;
}

async function udpFlood(until: number, port: number): Promise<void> {
  const socket = dgram.createSocket("udp4");
  try {
    while (Date.now() < until) {
      for (let i = 0; i < 20; i++) socket.send(random(pick([1, 200, MAX_PACKAGE + 1, 60_000])), port, "127.0.0.1");
      await Bun.sleep(10); // deliberate pacing: 20 datagrams per 10 ms is a flood that still leaves the loop time to serve the others
    }
  } finally {
    socket.close();
  }
}

test("every listener kind under random bytes, oversize, half-open, slowloris, bad frames, huge headers: same pids, still serving", async () => {
  const socketPath = join(tmpdir(), `wm-torture-${process.pid}.sock`);
  const limits = { handler: "./h.ts", maxPackageSize: MAX_PACKAGE, idleTimeout: 5 };
  await using app = await AppUnderTest.start({
    workers: [
      { name: "http", listen: "http://127.0.0.1:0", ...limits },
      { name: "websocket", listen: "websocket://127.0.0.1:0", ...limits },
      { name: "tcp", listen: "tcp://127.0.0.1:0", ...limits },
      { name: "text", listen: "text://127.0.0.1:0", ...limits },
      { name: "frame", listen: "frame://127.0.0.1:0", ...limits },
      { name: "json", listen: "tcp://127.0.0.1:0", protocol: "json", ...limits },
      { name: "custom", listen: "tcp://127.0.0.1:0", protocol: "./custom.ts", ...limits },
      { name: "udp", listen: "udp://127.0.0.1:0", ...limits },
      { name: "unix", listen: `unix://${socketPath}`, protocol: "json", ...limits },
    ],
    files: { "h.ts": HANDLER, "custom.ts": CUSTOM },
  });
  const before = new Map((await app.status()).processes.map((p) => [p.group, p.pid]));
  const port: Record<string, number> = {};
  for (const group of before.keys()) if (group !== "unix") port[group] = await app.port(group);

  const stopSlow = [
    slowloris({ port: port.http! }, 20, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa"),
    slowloris({ port: port.websocket! }, 20, UPGRADE),
    slowloris({ port: port.text! }, 20, "no newline ever "),
    slowloris({ path: socketPath }, 20, '{"never": "ends'),
  ];
  const until = Date.now() + ATTACK_MS;
  try {
    const floods = await Promise.all([
      flood(until, { port: port.http! }, "http"),
      flood(until, { port: port.websocket! }, "websocket"),
      flood(until, { port: port.tcp! }, "stream"),
      flood(until, { port: port.text! }, "text"),
      flood(until, { port: port.frame! }, "frame"),
      flood(until, { port: port.json! }, "json"),
      flood(until, { port: port.custom! }, "custom"),
      flood(until, { path: socketPath }, "json"),
      udpFlood(until, port.udp!),
    ]);
    expect(floods.slice(0, 8).every((n) => (n as number) >= 4)).toBe(true);
  } finally {
    for (const stop of stopSlow) stop();
  }

  const after = await app.status();
  for (const proc of after.processes) expect([proc.group, proc.pid, proc.restarts]).toEqual([proc.group, before.get(proc.group)!, 0]);
  // The framed kinds counted what they refused.
  await app.waitFor(
    async () => {
      const s = await app.status();
      const e = (g: string) => s.processes.find((p) => p.group === g)!.protocolErrors;
      return ["text", "frame", "json", "custom", "unix", "udp"].every((g) => e(g) > 0);
    },
    5000,
    "protocol errors counted on every framed kind",
  );
  // Hostile bytes are the peer's fault: never a handler error (those are stored and logged as the app's bugs).
  for (const proc of after.processes) expect([proc.group, proc.handlerErrors]).toEqual([proc.group, 0]);

  // A normal client is served on each.
  expect(await (await fetch(`http://127.0.0.1:${port.http}/`)).text()).toBe("http ok");
  const ws = await wsClient(`ws://127.0.0.1:${port.websocket}`);
  ws.ws.send("hello");
  expect(await ws.next()).toBe("ok hello");
  ws.ws.send(new TextEncoder().encode("binary")); // a binary frame reaches onMessage as a Buffer
  expect(await ws.next()).toBe("ok binary");
  ws.ws.close();
  const raw = await streamClient({ port: port.tcp! });
  raw.write("raw bytes");
  expect(await raw.until((t) => t.includes("ok raw bytes"))).toBe("ok raw bytes");
  raw.socket.end();
  expect(await askLine({ port: port.text! }, "fine")).toBe("ok fine");
  const framed = await streamClient({ port: port.frame! });
  framed.write(frame("good"));
  expect(await framed.until((t) => t.includes("ok good"))).toContain("ok good");
  framed.socket.end();
  expect(await askLine({ port: port.json! }, '{"a":1}')).toBe('{"echo":{"a":1}}');
  const custom = await streamClient({ port: port.custom! });
  custom.write(Buffer.from([2, 0x68, 0x69]));
  expect(await custom.until((t) => t.includes("ok hi"))).toContain("ok hi");
  custom.socket.end();
  expect(await udpAsk(port.udp!, "ping")).toBe("ok ping");
  expect(await askLine({ unix: socketPath }, '{"u":2}')).toBe('{"echo":{"u":2}}');
  for (const proc of (await app.status()).processes) expect(proc.pid).toBe(before.get(proc.group)!);
}, 90_000);

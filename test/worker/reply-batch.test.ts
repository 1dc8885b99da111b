// The per-chunk path of a framed stream connection: replies batched into one write, in order, whatever the chunking or the kernel takes.
import { expect, test } from "bun:test";
import type { Socket } from "bun";
import type { WorkerGroupConfig } from "../../src/config/types.ts";
import { frameProtocol } from "../../src/protocols/frame.ts";
import type { Protocol } from "../../src/protocols/protocol.ts";
import { textProtocol } from "../../src/protocols/text.ts";
import { BATCH_BYTES, ReplyBatch } from "../../src/worker/reply-batch.ts";
import { WorkerRuntime } from "../../src/worker/runtime.ts";
import { StreamConnection } from "../../src/worker/stream-connection.ts";
import type { App } from "../../src/worker/types.ts";

function setup(app: App, protocol: Protocol = textProtocol as Protocol, maxPackageSize = 1 << 20) {
  const config = {
    name: "echo",
    listen: { scheme: "text", host: "127.0.0.1", port: 0 },
    idleTimeout: 0,
    packageTimeout: 0,
    maxBufferedInput: 1 << 26,
    maxSendBufferSize: 1 << 24,
    maxPackageSize,
  } as unknown as WorkerGroupConfig;
  const runtime = new WorkerRuntime({ config, index: 0, generation: 1 }, () => {});
  runtime.setApp(app);
  /** Copies of what each write(2) carried: the batch's buffer is reused after the call. */
  const writes: Buffer[] = [];
  const kernel = { room: Infinity, ended: false };
  let conn: StreamConnection | null = null;
  const socket = {
    write(data: string | Uint8Array, offset = 0, length?: number) {
      const bytes = typeof data === "string" ? Buffer.from(data) : Buffer.from(data.subarray(offset, length === undefined ? undefined : offset + length));
      const taken = Math.min(bytes.length, kernel.room);
      kernel.room -= taken;
      if (taken > 0) writes.push(Buffer.from(bytes.subarray(0, taken)));
      return taken;
    },
    end: () => {
      kernel.ended = true;
      conn?.onClosed();
    },
    terminate: () => conn?.onClosed(),
    pause() {},
    resume() {},
  } as unknown as Socket<StreamConnection>;
  conn = new StreamConnection(runtime, socket, "text", protocol, { remoteAddress: "127.0.0.1", remotePort: 40000, localPort: 8000 });
  const wire = () => Buffer.concat(writes).toString();
  return { runtime, conn, writes, kernel, wire };
}

const echo: App = { onMessage: (conn, data) => void conn.send(data) };

test("a chunk holding one packet: its reply leaves in one write", () => {
  const { conn, writes } = setup(echo);
  conn.onData(Buffer.from("hello\n"));
  expect(writes.map(String)).toEqual(["hello\n"]);
});

test("a chunk holding several packets: their replies leave together in one write, in order", () => {
  const { conn, writes } = setup(echo);
  conn.onData(Buffer.from("a\r\nbb\nccc\n"));
  expect(writes.map(String)).toEqual(["a\nbb\nccc\n"]);
});

test("a partial packet gets no write until its end arrives; a packet split across chunks is answered once whole", () => {
  const { conn, writes } = setup(echo);
  conn.onData(Buffer.from("hel"));
  expect(writes).toEqual([]);
  conn.onData(Buffer.from("lo\nwor"));
  conn.onData(Buffer.from("ld\nx\n"));
  expect(writes.map(String)).toEqual(["hello\n", "world\nx\n"]);
});

test("a packet past maxPackageSize: the replies before it in the chunk still leave, then the connection closes", () => {
  const { conn, writes, runtime, kernel } = setup(echo, textProtocol as Protocol, 8);
  conn.onData(Buffer.from("ok\n0123456789\n"));
  expect(writes.map(String)).toEqual(["ok\n"]);
  expect(runtime.counters.protocolErrors).toBe(1);
  expect(kernel.ended).toBe(true);
  expect(conn.closed).toBe(true);
});

test("replies past the batch's size leave in order: the batch is written when full and a big reply on its own", () => {
  const big = "b".repeat(BATCH_BYTES + 10);
  const { conn, wire, writes } = setup({
    onMessage(conn, data) {
      conn.send(data === "big" ? big : data);
    },
  });
  const small = Array.from({ length: 5000 }, (_, i) => `m${i}`);
  conn.onData(Buffer.from([...small, "big", "end"].map((line) => `${line}\n`).join("")));
  expect(wire()).toBe([...small, big, "end"].map((line) => `${line}\n`).join(""));
  expect(writes.every((w) => w.length <= BATCH_BYTES + 11)).toBe(true);
  expect(writes.length).toBeLessThan(5);
});

test("when the kernel takes part of the batch, the rest and every later reply are queued and leave in order on drain", () => {
  const { conn, wire, kernel } = setup(echo);
  kernel.room = 5;
  conn.onData(Buffer.from("first\nsecond\n"));
  expect(wire()).toBe("first");
  expect(conn.pendingSendBytes).toBe("\nsecond\n".length);
  conn.onData(Buffer.from("third\n"));
  expect(conn.pendingSendBytes).toBe("\nsecond\nthird\n".length);
  kernel.room = Infinity;
  conn.onDrain();
  expect(wire()).toBe("first\nsecond\nthird\n");
  expect(conn.pendingSendBytes).toBe(0);
});

test("frame: strings and bytes sent from one chunk come out as frames, in order, in one write", () => {
  const replies: (string | Uint8Array)[] = ["é", new Uint8Array([1, 2, 3]), "x".repeat(300)];
  const { conn, writes } = setup({ onMessage: (conn) => replies.forEach((r) => conn.send(r)) }, frameProtocol as Protocol);
  conn.onData(frameProtocol.encode("go"));
  expect(writes.length).toBe(1);
  expect([...writes[0]!]).toEqual([...Buffer.concat(replies.map((r) => frameProtocol.encode(r)))]);
});

test("a reply sent by the handler and then the connection closed in the same chunk still leaves before the end", () => {
  const { conn, wire, kernel } = setup({ onMessage: (conn, data) => conn.close(`bye ${data}`) });
  conn.onData(Buffer.from("you\nignored\n"));
  expect(wire()).toBe("bye you\n");
  expect(kernel.ended).toBe(true);
});

test("the batch holds a string reply as the bytes Buffer.from gives it: multi-byte characters and a lone surrogate too", () => {
  const batch = new ReplyBatch<object>();
  const replies = ["ascii\n", "héllo → 世界 🎉\n", "a\ud800b\n", ""];
  for (const reply of replies) expect(batch.add(reply)).toBe(true);
  expect([...batch.buffer.subarray(0, batch.size)]).toEqual([...Buffer.from(replies.join(""))]);
});

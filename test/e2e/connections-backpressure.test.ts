// Backpressure as Workerman: a bounded send buffer with onBufferFull/onBufferDrain and sendFail, pauseRecv/resumeRecv, pipe().
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Socket, TCPSocketListener } from "bun";
import { AppUnderTest, REPO } from "../support/app-under-test.ts";
import { streamClient } from "../support/clients.ts";
import { expectNothingWithin, steadyValue } from "../support/wait.ts";

const MiB = 1024 * 1024;

// "flood" tries to push 256 MiB at the client; every send result is tallied.
const FLOOD = `export default {
  onMessage(conn, line) {
    if (line === "flood") {
      const chunk = Buffer.alloc(64 * 1024, 120);
      let accepted = 0, refused = 0;
      for (let i = 0; i < 4096; i++) { if (conn.send(chunk) === false) refused++; else accepted++; }
      console.log("flood accepted=" + accepted + " refused=" + refused + " pending=" + conn.pendingSendBytes);
    } else if (line === "pause") {
      conn.pauseRecv();
      conn.send("paused");
      conn.worker.timers.add(0.4, () => conn.resumeRecv(), { persistent: false });
    } else conn.send("got " + line);
  },
  onBufferFull(conn) { console.log("bufferFull pending=" + conn.pendingSendBytes); },
  onBufferDrain(conn) { console.log("bufferDrain pending=" + conn.pendingSendBytes); },
};`;

/** The worker's resident memory once its first stats report has arrived. */
async function rssOf(app: AppUnderTest): Promise<number> {
  return app.waitFor(async () => (await app.status()).processes[0]!.rssBytes, 5000, "a stats report");
}

describe("send buffer and read pausing (text://)", () => {
  let app: AppUnderTest;
  let port = 0;

  beforeAll(async () => {
    app = await AppUnderTest.start({ workers: [{ name: "flood", listen: "text://127.0.0.1:0", handler: "./flood.ts" }], files: { "flood.ts": FLOOD } });
    port = await app.port("flood");
  });
  afterAll(() => app?.[Symbol.asyncDispose]());

  test("a client that does not read: onBufferFull, refused sends counted as sendFail, memory bounded, then drain", async () => {
    const rssBefore = await rssOf(app);
    let received = 0;
    const gotAll = Promise.withResolvers<void>();
    let expected = Infinity;
    const client = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data(_s, chunk) {
          received += chunk.byteLength;
          if (received >= expected) gotAll.resolve();
        },
      },
    });
    client.pause();
    client.write("flood\n");
    const line = await app.waitFor(() => app.output.find((l) => l.includes("flood accepted=")), 10_000, "the flood report");
    const [, accepted, refused, pending] = /accepted=(\d+) refused=(\d+) pending=(\d+)/.exec(line)!.map(Number) as number[];
    expect(app.output.some((l) => l.includes("bufferFull pending="))).toBe(true);
    // The buffer never holds more than maxSendBufferSize plus the one message that crossed it.
    expect(pending!).toBeLessThanOrEqual(MiB + 64 * 1024 + 1);
    expect(refused!).toBeGreaterThan(3000);
    const status = await app.waitFor(
      async () => {
        const s = await app.status();
        return s.processes[0]!.sendFail === refused ? s : undefined;
      },
      5000,
      "sendFail in /api/status",
    );
    // 256 MiB were offered: the worker grew by far less (kernel buffers + 1 MiB).
    expect(status.processes[0]!.rssBytes - rssBefore).toBeLessThan(64 * MiB);

    expected = accepted! * (64 * 1024 + 1);
    client.resume();
    await gotAll.promise;
    expect(received).toBe(expected);
    await app.waitFor(() => app.output.some((l) => l.includes("bufferDrain pending=0")), 5000, "onBufferDrain");
    client.end();
  }, 30_000);

  test("pauseRecv holds messages already received until resumeRecv, in order", async () => {
    const client = await streamClient({ port });
    client.write("pause\nA\n");
    await client.until((t) => t.includes("paused"));
    const pausedAt = performance.now();
    client.write("B\n");
    // Deliberate: while paused, B must not be answered (the handler resumes only after 300 ms).
    await expectNothingWithin(150, () => client.received().toString() !== "paused\n", "a reply arrived while paused");
    expect(client.received().toString()).toBe("paused\n");
    expect(await client.until((t) => t.includes("got B"))).toBe("paused\ngot A\ngot B\n");
    expect(performance.now() - pausedAt).toBeGreaterThan(300);
    client.socket.end();
  });
});

/** Writes everything, waiting for drain when the socket takes only part; resolves with the bytes written so far on demand. */
function writer(socket: Socket<unknown>) {
  const queue: Uint8Array[] = [];
  let written = 0;
  const flush = () => {
    while (queue.length > 0) {
      const head = queue[0]!;
      const n = socket.write(head);
      if (n > 0) written += n;
      if (n < head.length) {
        queue[0] = head.subarray(Math.max(0, n));
        return;
      }
      queue.shift();
    }
  };
  return { push: (bytes: Uint8Array) => (queue.push(bytes), flush()), flush, written: () => written };
}

describe("pipe(): the TCP proxy example", () => {
  let app: AppUnderTest;
  let upstream: TCPSocketListener<{ out: ReturnType<typeof writer>; echo: boolean; got: number }>;
  /** The next upstream connection: echo, or a sink that starts paused. */
  let mode: "echo" | "sink" = "echo";
  const sinks: Socket<{ out: ReturnType<typeof writer>; echo: boolean; got: number }>[] = [];

  beforeAll(async () => {
    upstream = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open(socket) {
          socket.data = { out: writer(socket as Socket<unknown>), echo: mode === "echo", got: 0 };
          if (mode === "sink") {
            socket.pause();
            sinks.push(socket);
          }
        },
        data(socket, chunk) {
          socket.data.got += chunk.byteLength;
          if (socket.data.echo) socket.data.out.push(Buffer.from(chunk));
        },
        drain(socket) {
          socket.data.out.flush();
        },
      },
    });
    app = await AppUnderTest.start({
      workers: [
        { name: "proxy", listen: "tcp://127.0.0.1:0", handler: join(REPO, "examples/tcp-proxy.ts"), env: { UPSTREAM: `tcp://127.0.0.1:${upstream.port}` } },
      ],
    });
  });
  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
    upstream?.stop(true);
  });

  async function proxyClient() {
    let received: Buffer[] = [];
    let total = 0;
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port: await app.port("proxy"),
      socket: {
        data(_s, chunk) {
          received.push(Buffer.from(chunk));
          total += chunk.byteLength;
        },
        drain(s) {
          out.flush();
        },
      },
    });
    const out = writer(socket as Socket<unknown>);
    return { socket, out, received: () => Buffer.concat(received), total: () => total };
  }

  test("bytes go through both ways intact", async () => {
    mode = "echo";
    const client = await proxyClient();
    const payload = crypto.getRandomValues(new Uint8Array(3 * MiB));
    client.out.push(payload);
    await app.waitFor(() => client.total() >= payload.length, 10_000, "the echo through the proxy");
    expect(Buffer.compare(client.received(), Buffer.from(payload))).toBe(0);
    client.socket.end();
  });

  test("a stalled upstream stalls the client, not the proxy's memory; resuming delivers every byte", async () => {
    mode = "sink";
    const rssBefore = await rssOf(app);
    const client = await proxyClient();
    const size = 128 * MiB;
    const chunk = new Uint8Array(MiB).fill(7);
    for (let at = 0; at < size; at += MiB) client.out.push(chunk);
    await app.waitFor(() => sinks.length === 1, 5000, "the upstream connection");
    // The client writes until the kernel and the proxy stop taking bytes: wait for its count to stop moving.
    const stalledAt = await steadyValue(() => client.out.written(), { windowMs: 500, timeoutMs: 20_000, what: "the client's writes to stall" });
    // Only kernel buffers and the proxy's 1 MiB send buffer hold bytes: the client could not write most of it.
    expect(stalledAt).toBeLessThan(64 * MiB);
    const status = await app.waitFor(
      async () => {
        const s = await app.status();
        return s.processes[0]!.connections === 2 ? s : undefined;
      },
      5000,
      "client and outbound upstream in the registry",
    );
    expect(status.processes[0]!.rssBytes - rssBefore).toBeLessThan(48 * MiB);
    expect(status.processes[0]!.sendFail).toBe(0);

    sinks[0]!.resume();
    await app.waitFor(() => sinks[0]!.data.got === size, 20_000, `all ${size} bytes at the upstream (stalled at ${stalledAt})`);
    client.socket.end();
    // Closing the client closes the upstream side through pipe().
    await app.waitFor(async () => (await app.status()).processes[0]!.connections === 0, 5000, "both sides closed");
  }, 40_000);
});

// idleTimeout on tcp:// and unix:// groups: a peer silent that long is closed (counted, onClose runs); a talking one stays.
import { expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppUnderTest } from "../support/app-under-test.ts";
import { streamClient } from "../support/clients.ts";
import { within } from "../support/wait.ts";

const ECHO = `export default {
  onMessage(conn, data) { conn.send(data); },
  onClose(conn) { conn.worker.metrics.inc("closed"); },
};`;

for (const scheme of ["tcp", "unix"] as const) {
  test(`${scheme}:// idleTimeout 1: a silent client is closed, counted and onClose runs; a client that talks stays open`, async () => {
    const path = join(tmpdir(), `wm-idle-${process.pid}.sock`);
    await using app = await AppUnderTest.start({
      workers: [{ name: "raw", listen: scheme === "tcp" ? "tcp://127.0.0.1:0" : `unix://${path}`, handler: "./h.ts", idleTimeout: 1 }],
      files: { "h.ts": ECHO },
    });
    const target = scheme === "tcp" ? { port: await app.port("raw") } : { unix: path };
    const talking = await streamClient(target);
    let talkingClosed = false;
    talking.closed.then(() => (talkingClosed = true));
    let sent = 0;
    const chatter = setInterval(() => talking.write(`${sent++}.`), 200);
    try {
      const silent = await streamClient(target);
      const openedAt = Date.now();
      await within(silent.closed, 15_000, "the silent client to be closed");
      console.log(`${scheme}: silent client closed after ${Date.now() - openedAt} ms (idleTimeout 1 s)`);
      // The talking client outlives another full window, and still gets its echo.
      const mark = sent;
      await talking.until((t) => t.includes(`${mark + 8}.`), 10_000);
      expect(talkingClosed).toBe(false);
      const row = await app.waitFor(
        async () => (await app.status()).processes.find((p) => p.group === "raw" && p.metrics?.closed === 1 && p.idleClosed === 1),
        5000,
        "the idle close counted and onClose run",
      );
      expect(row.protocolErrors).toBe(0);
    } finally {
      clearInterval(chatter);
      talking.socket.end();
    }
  }, 40_000);
}

test("tcp:// idleTimeout 1: a peer that stops reading is closed too, its unsent bytes dropped instead of holding the close open", async () => {
  await using app = await AppUnderTest.start({
    workers: [{ name: "raw", listen: "tcp://127.0.0.1:0", handler: "./h.ts", idleTimeout: 1 }],
    files: { "h.ts": `export default { onConnect(conn) { conn.send(Buffer.alloc(16 * 1024 * 1024, 120)); } };` },
  });
  const closed = Promise.withResolvers<void>();
  const reader = await Bun.connect({
    hostname: "127.0.0.1",
    port: await app.port("raw"),
    socket: {
      open: (s) => s.pause(),
      data: (s) => s.pause(),
      close: () => closed.resolve(),
      error: () => {},
    },
  });
  try {
    await within(closed.promise, 15_000, "the non-reading peer to be closed");
    const row = await app.waitFor(async () => (await app.status()).processes.find((p) => p.idleClosed === 1 && p.connections === 0), 5000, "idleClosed 1");
    expect(row.protocolErrors).toBe(0);
  } finally {
    reader.end();
  }
}, 40_000);

test("text:// packageTimeout 1: a line left unfinished is closed and counted, though its client keeps sending; one that finishes lines stays", async () => {
  await using app = await AppUnderTest.start({
    workers: [{ name: "text", listen: "text://127.0.0.1:0", handler: "./h.ts", packageTimeout: 1 }],
    files: { "h.ts": ECHO },
  });
  const port = await app.port("text");
  const dribbler = await streamClient({ port });
  const liner = await streamClient({ port });
  let sent = 0;
  // Both send a byte every 100 ms, so neither is idle; only the dribbler never ends its line.
  const chatter = setInterval(() => {
    dribbler.write("x");
    liner.write(sent++ % 5 === 4 ? "\n" : "y");
  }, 100);
  try {
    const openedAt = Date.now();
    await within(dribbler.closed, 10_000, "the unfinished line's connection to be closed");
    const after = Date.now() - openedAt;
    console.log(`text: unfinished line closed after ${after} ms (packageTimeout 1 s)`);
    expect(after).toBeGreaterThanOrEqual(1000);
    // The liner outlives it, still echoed: two more lines come back after the close.
    const echoed = liner.received().toString().split("\n").length;
    await liner.until((t) => t.split("\n").length >= echoed + 2, 5000);
    const row = await app.waitFor(async () => (await app.status()).processes.find((p) => p.group === "text" && p.connections === 1));
    expect(row.idleClosed).toBe(0);
    const metrics = await app.waitFor(
      async () => {
        const text = await (await fetch(`${app.adminUrl}/metrics`, { headers: { Authorization: `Bearer ${app.token}` } })).text();
        return /workerman_package_timeouts_total\{group="text",pid="\d+"\} 1\b/.test(text) && text;
      },
      5000,
      "the timeout counted in /metrics",
    );
    expect(metrics).toMatch(/workerman_input_shed_total\{group="text",pid="\d+"\} 0\b/);
  } finally {
    clearInterval(chatter);
    liner.socket.end();
  }
}, 30_000);

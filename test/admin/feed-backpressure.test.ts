// Live-feed clients that stop reading are dropped at their queue's cap while a normal reader keeps up; the master's memory stays flat.
import { expect, test } from "bun:test";
import { connect } from "node:net";
import { startAdminPlane } from "../../src/admin/server.ts";
import { forEachLine } from "../../src/master/line-splitter.ts";
import { waitFor, within } from "../support/wait.ts";
import { adminFixture, TOKEN } from "./admin-fixture.ts";
import { parsePrometheus } from "./prometheus-parser.ts";

/**
 * A client that sends its request, reads the status line (so it knows its stream is open and subscribed) and then
 * never reads another byte: bash's /dev/tcp, whose `read` takes one byte at a time, so nothing in between buffers for it.
 */
function stalledClient(port: number): { proc: ReturnType<typeof Bun.spawn>; connected: Promise<void> } {
  const request = `GET /api/events HTTP/1.1\\r\\nHost: 127.0.0.1:${port}\\r\\nAuthorization: Bearer ${TOKEN}\\r\\n\\r\\n`;
  const script = `exec 3<>/dev/tcp/127.0.0.1/${port}; printf '${request}' >&3; read -r status <&3; echo "$status"; exec sleep 120`;
  const proc = Bun.spawn(["bash", "-c", script], { stdout: "pipe", stderr: "ignore" });
  const { promise, resolve } = Promise.withResolvers<string>();
  forEachLine(proc.stdout, resolve);
  const connected = promise.then((status) => {
    if (!status.includes(" 200")) throw new Error(`the stalled client's stream was refused: ${status}`);
  });
  return { proc, connected: within(connected, 5000, "the stalled client's event stream to open") };
}

/** Reads the stream keeping nothing but the pid of the last process-exited event (a test reader must not hold 80 MB itself). */
function countingReader(response: Response): { lastPid: () => number; waitFor: (pid: number) => Promise<void>; close: () => void } {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let last = -1;
  let tail = "";
  let wake: (() => void) | undefined;
  (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) break;
      tail = (tail + chunk.value).slice(-200_000);
      const pids = [...tail.matchAll(/"type":"process-exited","pid":(\d+)/g)];
      if (pids.length) last = Number(pids.at(-1)![1]);
      tail = tail.slice(tail.lastIndexOf("\n\n") + 2);
      wake?.();
    }
  })();
  return {
    lastPid: () => last,
    async waitFor(pid) {
      const deadline = Date.now() + 10_000;
      while (last < pid) {
        if (Date.now() > deadline) throw new Error(`the normal reader fell behind: at ${last}, waiting for ${pid}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    },
    close: () => void reader.cancel().catch(() => {}),
  };
}

test("8 clients that stop reading plus 80 MB of events: the stalled ones are dropped, the reader gets everything, RSS stays flat", async () => {
  using f = adminFixture();
  const plane = startAdminPlane({ ...f.ctx, config: { ...f.ctx.config, admin: { ...f.ctx.config.admin, port: 0 } } });
  const port = Number(new URL(plane.url).port);
  const stalled = Array.from({ length: 8 }, () => stalledClient(port));
  try {
    await Promise.all(stalled.map((s) => s.connected));
    const reader = countingReader(await fetch(`${plane.url}/api/events`, { headers: { Authorization: `Bearer ${TOKEN}` } }));
    Bun.gc(true);
    const rssBefore = process.memoryUsage.rss();
    const stderrTail = Array.from({ length: 40 }, (_, i) => `stderr line ${i} `.padEnd(100, "x"));
    const EVENTS = 20_000;
    for (let pid = 1; pid <= EVENTS; pid++) {
      // Lifecycle events are not rate-bounded (a stranger cannot repeat them), so all 20,000 reach the feed: ~4 KB each.
      f.ctx.supervisor.emit({ type: "process-exited", pid, group: "web", index: 0, generation: 1, code: 1, signal: null, expected: true, stderrTail });
      if (pid % 25 === 0) await reader.waitFor(pid);
    }
    await reader.waitFor(EVENTS);
    Bun.gc(true);
    const grown = process.memoryUsage.rss() - rssBefore;
    const metrics = parsePrometheus(await (await fetch(`${plane.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text());
    const dropped = metrics.get("workerman_live_feed_dropped_total")?.samples[0]?.value;
    console.log(`live feed: ${EVENTS} events of ~4 KB to 8 stalled clients and 1 reader: ${dropped} dropped, RSS +${Math.round(grown / 1048576)} MiB`);
    expect(dropped).toBe(8);
    expect(reader.lastPid()).toBe(EVENTS);
    // Unbounded, each stalled client would hold most of the 80 MB; bounded, each holds at most 512 KiB.
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    reader.close();
  } finally {
    for (const s of stalled) s.proc.kill("SIGKILL");
    plane.stop();
  }
}, 60_000);

test("clients that hang up free their stream: 70 come and go, and the next one is still served (64 open at most)", async () => {
  using f = adminFixture();
  const plane = startAdminPlane({ ...f.ctx, config: { ...f.ctx.config, admin: { ...f.ctx.config.admin, port: 0 } } });
  const port = Number(new URL(plane.url).port);
  try {
    for (let i = 0; i < 70; i++) {
      const socket = connect({ host: "127.0.0.1", port });
      socket.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
      await new Promise((resolve) => socket.once("data", resolve));
      socket.destroy();
    }
    // The server notices each hang-up on its own loop turn: ask until the slots are back (or give up after 5 s).
    const status = await waitFor(
      async () => {
        const next = await fetch(`${plane.url}/api/events`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        await next.body?.cancel();
        return next.status;
      },
      { until: (code) => code === 200, timeoutMs: 5000, intervalMs: 50, what: "an event stream slot to be free again" },
    );
    expect(status).toBe(200);
  } finally {
    plane.stop();
  }
});

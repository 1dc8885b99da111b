// Floods through the IPC queues against the compiled executable: a worker that does not read, a master that does not read; neither grows the other.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { AppUnderTest } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import type { ConnectionsResponse } from "../../src/admin/contract.ts";

const MiB = 1024 * 1024;

/** A worker group that blocks its event loop on GET /block (without burning CPU), and floods the channel on GET /flood. */
const HANDLER = `
let worker;
export default {
  onWorkerStart(w) { worker = w; },
  fetch(req) {
    const url = new URL(req.url);
    if (url.pathname === "/block") {
      console.log("blocking the loop now");
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(url.searchParams.get("ms")));
      return new Response("unblocked");
    }
    if (url.pathname === "/flood") {
      const n = Number(url.searchParams.get("n"));
      const text = "x".repeat(Number(url.searchParams.get("size")));
      const verb = url.searchParams.get("verb");
      for (let i = 0; i < n; i++) verb === "group" ? worker.channel.sendToGroup("room", text) : worker.channel.sendToAll(text);
      return new Response("sent " + n);
    }
    if (url.pathname === "/sync") {
      // Answered by the master once it has read everything this process sent before (IPC keeps the order).
      return (async () => {
        for (;;) {
          try {
            return new Response("synced " + (await worker.channel.getUidCount()));
          } catch {
            await Bun.sleep(20); // the queue to the master is still full
          }
        }
      })();
    }
    return new Response("ok");
  },
};`;

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return Number(line![1]) * 1024;
}

/** The highest RSS of `pid` while `work` runs (sampled every 50 ms). */
async function peakRss(pid: number, work: () => Promise<unknown>): Promise<number> {
  let peak = rssBytes(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 50);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return Math.max(peak, rssBytes(pid));
}

async function metric(app: AppUnderTest, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${app.adminUrl}/metrics`, { headers: { Authorization: `Bearer ${app.token}` } })).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(" ").at(-1)) : Number.NaN;
}

test("a worker whose loop is blocked: 3 x 20,000 sendToAll of 10 KB grow the master by less than 64 MiB, the rest is dropped and counted", async () => {
  await ensureBinary();
  await using app = await AppUnderTest.start({
    mode: "compiled",
    workers: [
      { name: "stuck", listen: "http://127.0.0.1:0", handler: "./h.ts" },
      { name: "pusher", listen: "http://127.0.0.1:0", handler: "./h.ts" },
    ],
    files: { "h.ts": HANDLER },
  });
  const stuck = await app.port("stuck");
  const pusher = await app.port("pusher");
  const master = app.master.pid;
  const cold = rssBytes(master);
  // Warmed up first (the relay path, the admin routes), so the figure is what the flood itself costs.
  expect(await (await fetch(`http://127.0.0.1:${pusher}/flood?n=2000&size=10000`)).text()).toBe("sent 2000");
  expect(await (await fetch(`http://127.0.0.1:${pusher}/sync`)).text()).toBe("synced 0");
  await metric(app, "workerman_ipc_dropped_total", 'direction="to-worker"');
  const before = rssBytes(master);
  const blocked = fetch(`http://127.0.0.1:${stuck}/block?ms=30000`).catch(() => null);
  await app.waitFor(() => app.output.some((l) => l.includes("blocking the loop now")), 10_000, "the stuck worker blocking");
  const peak = await peakRss(master, async () => {
    for (let round = 0; round < 3; round++) expect(await (await fetch(`http://127.0.0.1:${pusher}/flood?n=20000&size=10000`)).text()).toBe("sent 20000");
    // The master has relayed all it was given (measured before the cap: the pusher queued 630 MB, then the master grew to 635 MB).
    expect(await (await fetch(`http://127.0.0.1:${pusher}/sync`)).text()).toBe("synced 0");
  });
  const dropped = await metric(app, "workerman_ipc_dropped_total", 'direction="to-worker"');
  const mib = (bytes: number) => Math.round(bytes / MiB);
  console.log(`master RSS ${mib(cold)} at start, ${mib(before)} warmed up -> peak ${mib(peak)} MiB; to-worker dropped: ${dropped}`);
  expect(peak - before).toBeLessThan(64 * MiB);
  expect(dropped).toBeGreaterThan(0);
  expect((await app.status()).ipc?.dropped["to-worker"]).toBe(dropped);
  await app.waitFor(
    () => app.output.some((l) => /worker stuck \(pid \d+\) is not reading its IPC: \d+ message\(s\) to it dropped past 16 MiB/.test(l)),
    5000,
    "the drop reported",
  );
  // An admin query to the stuck worker fails at once, saying why; the other worker answers.
  const started = performance.now();
  const connections = await app.api<ConnectionsResponse>("/api/connections");
  expect(performance.now() - started).toBeLessThan(2000);
  expect(connections.errors).toEqual([
    {
      pid: (await app.pids("stuck"))[0]!,
      error: {
        code: "E_UNAVAILABLE",
        message: expect.stringMatching(/^process \d+ did not answer: its IPC queue is full \(\d+ MiB not yet read, cap 16 MiB\)$/),
      },
    },
  ]);
  // Still answering: the admin plane and the pusher.
  expect(await (await fetch(`http://127.0.0.1:${pusher}/`)).text()).toBe("ok");
  void blocked;
}, 120_000);

test("a stopped master: 200,000 sendToGroup of 1 KB grow a worker by less than 64 MiB; its drops reach the master's counters afterwards", async () => {
  await ensureBinary();
  await using app = await AppUnderTest.start({
    mode: "compiled",
    workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./h.ts" }],
    files: { "h.ts": HANDLER },
  });
  const port = await app.port("web");
  const [pid] = await app.pids("web");
  const before = rssBytes(pid!);
  process.kill(app.master.pid, "SIGSTOP");
  let peak: number;
  try {
    peak = await peakRss(pid!, async () => {
      expect(await (await fetch(`http://127.0.0.1:${port}/flood?n=200000&size=1000&verb=group`)).text()).toBe("sent 200000");
    });
  } finally {
    process.kill(app.master.pid, "SIGCONT");
  }
  console.log(`worker RSS ${Math.round(before / MiB)} -> peak ${Math.round(peak / MiB)} MiB with the master stopped`);
  expect(peak - before).toBeLessThan(64 * MiB);
  const dropped = await app.waitFor(async () => (await app.status()).ipc?.dropped["to-master"] || undefined, 10_000, "the worker's drops counted");
  console.log(`to-master dropped: ${dropped}`);
  expect(dropped).toBeGreaterThan(100_000);
  expect(app.output.some((l) => /\[ipc\] \d+ message\(s\) to the master dropped: 16 MiB are waiting/.test(l))).toBe(true);
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("ok");
}, 120_000);

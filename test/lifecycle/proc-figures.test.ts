// The memory and CPU that status shows are the master's own /proc readings: they agree with the kernel and hold for a stuck worker.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import type { StoredEvent } from "../../src/admin/contract.ts";
import { AppUnderTest, isAlive } from "../support/app-under-test.ts";
import { waitFor } from "../support/wait.ts";

const MiB = 1024 * 1024;

// /alloc keeps 200 MiB of touched memory; /alloc-and-spin 300 MiB, then blocks its loop (it cannot report any more).
const WEB = `const kept = [];
export default {
  fetch(req) {
    const path = new URL(req.url).pathname;
    if (path === "/alloc") {
      kept.push(Buffer.alloc(200 * 1024 * 1024, 1));
      return new Response(String(process.pid));
    }
    if (path === "/alloc-and-spin") {
      kept.push(Buffer.alloc(300 * 1024 * 1024, 1));
      require("node:fs").writeFileSync("spinning.pid", String(process.pid));
      while (true) {}
    }
    return new Response("pid " + process.pid);
  },
};`;

function vmRss(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match![1]) * 1024;
}

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) if (isAlive(pid)) process.kill(pid, "SIGKILL");
});

describe("figures from /proc", () => {
  test("a worker holding 200 MiB shows >= 200 MiB in status, within 5% of its VmRSS", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 1, handler: "./web.ts" }],
      files: { "web.ts": WEB },
    });
    const pid = Number(await (await fetch(`http://127.0.0.1:${await app.port("web")}/alloc`)).text());
    // The master samples once a second, so the figure may lag a growing process by a second: wait for a reading of the settled size.
    const seen = await waitFor(
      async () => {
        const row = (await app.status()).processes.find((p) => p.pid === pid);
        return { shown: row?.rssBytes ?? 0, kernel: vmRss(pid) };
      },
      { until: ({ shown, kernel }) => shown >= 200 * MiB && Math.abs(shown - kernel) / kernel < 0.05, timeoutMs: 6000, what: "status to agree with VmRSS" },
    );
    console.log(`[proc-figures] status ${(seen.shown / MiB).toFixed(1)} MiB, /proc VmRSS ${(seen.kernel / MiB).toFixed(1)} MiB`);
  }, 30_000);

  test("maxMemoryMB fires for a worker that allocated past it and then stopped reporting; it is replaced and killed", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 1, handler: "./web.ts", maxMemoryMB: 250, watchdogSeconds: 0 }],
      files: { "web.ts": WEB },
    });
    const port = await app.port("web");
    fetch(`http://127.0.0.1:${port}/alloc-and-spin`, { signal: AbortSignal.timeout(30_000) }).catch(() => {});
    const pid = Number(
      await waitFor(() => existsSync(`${app.dir}/spinning.pid`) && readFileSync(`${app.dir}/spinning.pid`, "utf8"), {
        timeoutMs: 10_000,
        what: "the worker to spin",
      }),
    );
    started.push(pid);
    const event = await waitFor(
      async () => (await app.api<{ items: StoredEvent[] }>("/api/events/log?limit=50")).items.find((e) => e.type === "memory-limit"),
      {
        timeoutMs: 8000,
        what: "a memory-limit event",
      },
    );
    expect(event.data).toMatchObject({ pid, limitBytes: 250 * MiB });
    // Read while its loop was blocked (allocating, then spinning): the worker itself reported nothing past its limit.
    expect(Number(event.data.rssBytes)).toBeGreaterThan(250 * MiB);
    await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, what: "the spinning worker killed" });
    await waitFor(async () => (await app.status()).processes.map((p) => ({ pid: p.pid, state: p.state })), {
      until: (rows) => rows.length === 1 && rows[0]!.state === "ready" && rows[0]!.pid !== pid,
      timeoutMs: 5000,
      what: "one ready successor",
    });
    expect((await fetch(`http://127.0.0.1:${port}/`, { headers: { Connection: "close" } })).status).toBe(200);
  }, 40_000);
});

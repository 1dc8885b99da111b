// Stop and reload by signal: immediate stop kills stragglers after stopTimeout, graceful stop waits, USR1 reloads, memory limits replace.
import { describe, expect, test } from "bun:test";
import { AppUnderTest, isAlive } from "../support/app-under-test.ts";
import { streamClient, wsClient } from "../support/clients.ts";
import { httpLoad, servedMore } from "../support/http-load.ts";
import { expectNothingWithin, settledFlag } from "../support/wait.ts";

const WS = `export default { onMessage(conn, data) { conn.send("pid " + process.pid + " " + data); } };`;
const HTTP = `export default { fetch: () => new Response("pid " + process.pid) };`;

describe("stop and signals", () => {
  test("SIGTERM: open connections are closed after stopTimeout, exit code 0, no process left", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "ws", listen: "websocket://127.0.0.1:0", count: 2, handler: "./ws.ts" }],
      files: { "ws.ts": WS },
      extra: { stopTimeout: 1 },
    });
    const pids = await app.pids("ws");
    const client = await wsClient(`ws://127.0.0.1:${await app.port("ws")}`);
    const stoppedAt = Date.now();
    app.master.kill("SIGTERM");
    expect((await client.closed).code).toBe(1001);
    expect(await app.master.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  test("SIGQUIT (graceful stop) waits for a connection to end by itself", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "t", listen: "text://127.0.0.1:0", handler: "./t.ts" }],
      files: { "t.ts": WS },
      extra: { stopTimeout: 1 },
    });
    const client = await streamClient({ port: await app.port("t") });
    app.master.kill("SIGQUIT");
    // Deliberate: 2 s is past stopTimeout (1 s), when an immediate stop would have closed the connection and exited.
    const closed = settledFlag(client.closed);
    await expectNothingWithin(2000, () => app.exited || closed(), "the master exited or closed the connection");
    client.write("still\n");
    expect(await client.until((t) => t.includes("still"))).toMatch(/still\n$/);
    expect(app.exited).toBe(false);
    client.socket.end();
    expect(await app.master.exited).toBe(0);
  });

  test("SIGUSR1 reloads every reloadable group under load with no failed request", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }],
      files: { "web.ts": HTTP },
    });
    const before = await app.pids("web");
    const load = httpLoad(`http://127.0.0.1:${await app.port("web")}/`, 2);
    await servedMore(load, 10, "before SIGUSR1");
    app.master.kill("SIGUSR1");
    await app.waitFor(
      async () => {
        const procs = (await app.status()).processes;
        return procs.length === 2 && procs.every((p) => p.state === "ready" && p.pid !== null && !before.includes(p.pid));
      },
      8000,
      "new generation alone",
    );
    const result = await load.stop();
    expect(result.failed).toBe(0);
    expect(result.ok).toBeGreaterThan(0);
  });

  test("maxMemoryMB: a process over its limit is replaced without failed requests", async () => {
    const hog = `const hoard = []; export default { fetch(req) {
      if (new URL(req.url).pathname === "/grow") for (let i = 0; i < 40; i++) hoard.push(Buffer.alloc(1 << 20, 1));
      return new Response("pid " + process.pid); } };`;
    await using app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./hog.ts", maxMemoryMB: 120 }],
      files: { "hog.ts": hog },
    });
    const port = await app.port("web");
    const [before] = await app.pids("web");
    const load = httpLoad(`http://127.0.0.1:${port}/`, 2);
    for (let i = 0; i < 3; i++) await fetch(`http://127.0.0.1:${port}/grow`);
    const after = await app.waitFor(
      async () => {
        const pids = await app.pids("web");
        return pids.length === 1 && pids[0] !== before ? pids[0] : undefined;
      },
      10_000,
      "replacement after the memory limit",
    );
    const result = await load.stop();
    expect(after).not.toBe(before!);
    expect(result.failed).toBe(0);
    expect(app.output.some((l) => l.includes("over its 120 MiB limit"))).toBe(true);
  });
});

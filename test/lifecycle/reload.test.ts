// Reload replaces every reloadable process without losing a request; long-lived connections get 1001 or are waited for.
import { describe, expect, test } from "bun:test";
import { AppUnderTest, livePids } from "../support/app-under-test.ts";
import { askLine, wsClient } from "../support/clients.ts";
import { ensureTcpMigrateReq, httpLoad, servedMore } from "../support/http-load.ts";
import { expectNothingWithin, settledFlag } from "../support/wait.ts";

const HTTP = `export default { fetch: () => new Response("pid " + process.pid) };`;
const WS = `export default { onMessage(conn, data) { conn.send("pid " + process.pid + " " + data); } };`;
const TEXT = `export default { onMessage(conn, line) { conn.send("pid " + process.pid + " " + line); } };`;

describe("reload", () => {
  test("5 reloads under HTTP load: 0 failed requests, every pid replaced each time", async () => {
    const migrate = ensureTcpMigrateReq();
    if (migrate !== 1) console.warn(`net.ipv4.tcp_migrate_req is ${migrate} (cannot set it here): queued connections may be reset on reload`);
    await using app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }],
      files: { "web.ts": HTTP },
    });
    const port = await app.port("web");
    const load = httpLoad(`http://127.0.0.1:${port}/`, 4);
    let pids = await app.pids("web");
    const seen = new Set(pids);
    for (let i = 0; i < 5; i++) {
      await servedMore(load, 20, `before reload ${i + 1}`);
      const { generation } = await app.api<{ generation: number }>("/api/reload", {
        method: "POST",
        body: "{}",
        headers: { "Content-Type": "application/json" },
      });
      const next = await app.waitFor(
        async () => {
          const procs = (await app.status()).processes.filter((p) => p.group === "web");
          return procs.length === 2 && procs.every((p) => p.generation === generation && p.state === "ready") ? livePids(procs) : undefined;
        },
        10_000,
        `generation ${generation} alone`,
      );
      expect(next.some((pid) => pids.includes(pid))).toBe(false);
      for (const pid of next) seen.add(pid);
      pids = next;
    }
    await servedMore(load, 20, "after the last reload");
    const result = await load.stop();
    expect(result.errors.slice(0, 5)).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.ok).toBeGreaterThan(100);
    expect(seen.size).toBe(12);
    console.log(`reload under load: ${result.ok} requests, ${result.failed} failed, served by ${result.pids.size} pids`);
  }, 60_000);

  test("WebSocket clients of the old generation get close code 1001 after stopTimeout", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "ws", listen: "websocket://127.0.0.1:0", handler: "./ws.ts" }],
      files: { "ws.ts": WS },
      extra: { stopTimeout: 1 },
    });
    const client = await wsClient(`ws://127.0.0.1:${await app.port("ws")}`);
    client.ws.send("hi");
    await client.next((m) => m.endsWith("hi"));
    const reloadedAt = Date.now();
    await app.api("/api/reload", { method: "POST", body: "{}" });
    const closed = await client.closed;
    expect(closed.code).toBe(1001);
    expect(Date.now() - reloadedAt).toBeGreaterThanOrEqual(900);
    const again = await wsClient(`ws://127.0.0.1:${await app.port("ws")}`);
    again.ws.send("new");
    expect(await again.next((m) => m.endsWith("new"))).toMatch(/^pid \d+ new$/);
    again.ws.close();
  });

  test("graceful reload keeps WebSocket clients connected until they leave, while new clients reach the new generation", async () => {
    // A short settle window: the old generation starts draining well inside the 1.5 s this test waits.
    await using app = await AppUnderTest.start({
      workers: [{ name: "ws", listen: "websocket://127.0.0.1:0", handler: "./ws.ts" }],
      files: { "ws.ts": WS },
      extra: { stopTimeout: 1, reload: { healthySeconds: 0.2 } },
    });
    const port = await app.port("ws");
    const [oldPid] = await app.pids("ws");
    const client = await wsClient(`ws://127.0.0.1:${port}`);
    await app.api("/api/reload", { method: "POST", body: JSON.stringify({ graceful: true }) });
    const newPid = await app.waitFor(async () => (await app.pids("ws")).find((pid) => pid !== oldPid), 5000, "new generation");
    // Deliberate: 1.5 s is past stopTimeout (1 s), by when a non-graceful reload would have closed it.
    await expectNothingWithin(1500, settledFlag(client.closed), "the old generation's client was closed");
    client.ws.send("still here");
    expect(await client.next((m) => m.endsWith("still here"))).toBe(`pid ${oldPid} still here`);
    const fresh = await wsClient(`ws://127.0.0.1:${port}`);
    fresh.ws.send("fresh");
    expect(await fresh.next((m) => m.endsWith("fresh"))).toBe(`pid ${newPid} fresh`);
    expect((await app.status()).processes.find((p) => p.pid === oldPid)?.state).toBe("draining");
    client.ws.close();
    await app.waitFor(async () => !(await app.status()).processes.some((p) => p.pid === oldPid), 5000, "old process to exit after its client left");
    fresh.ws.close();
  });

  test("graceful reload, past gracefulTimeout: the old process closes its WebSocket clients itself (1001), not by SIGKILL", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "ws", listen: "websocket://127.0.0.1:0", handler: "./ws.ts" }],
      files: { "ws.ts": WS },
      extra: { stopTimeout: 1, gracefulTimeout: 1, reload: { healthySeconds: 0.2 } },
    });
    const [oldPid] = await app.pids("ws");
    const client = await wsClient(`ws://127.0.0.1:${await app.port("ws")}`);
    client.ws.send("hi");
    await client.next((m) => m.endsWith("hi"));
    await app.api("/api/reload", { method: "POST", body: JSON.stringify({ graceful: true }) });
    // A SIGKILL would end the connection without a close frame (1006).
    expect((await client.closed).code).toBe(1001);
    await app.waitFor(async () => !(await app.status()).processes.some((p) => p.pid === oldPid), 5000, "the old process to exit");
    // It ended itself: exit code 0, no signal (the stored event log, newest first).
    const log = await app.api<{ items: { type: string; pid: number | null; data: Record<string, unknown> }[] }>("/api/events/log");
    expect(log.items.find((e) => e.type === "process-exited" && e.pid === oldPid)?.data).toMatchObject({ code: 0, signal: null });
  });

  test('a "reloadable": false group keeps its pids; naming it alone is refused', async () => {
    await using app = await AppUnderTest.start({
      workers: [
        { name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" },
        { name: "pinned", listen: "text://127.0.0.1:0", handler: "./t.ts", reloadable: false },
      ],
      files: { "web.ts": HTTP, "t.ts": TEXT },
    });
    const [pinned] = await app.pids("pinned");
    const [web] = await app.pids("web");
    await app.api("/api/reload", { method: "POST", body: JSON.stringify({}) });
    await app.waitFor(
      async () => {
        const pids = await app.pids("web");
        return pids.length === 1 && pids[0] !== web;
      },
      8000,
      "web replaced",
    );
    expect(await app.pids("pinned")).toEqual([pinned!]);
    expect(await askLine({ port: await app.port("pinned") }, "x")).toBe(`pid ${pinned} x`);
    const refused = await fetch(app.adminUrl + "/api/reload", {
      method: "POST",
      headers: { Authorization: `Bearer ${app.token}` },
      body: JSON.stringify({ group: "pinned" }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: { code: "E_USAGE", message: expect.stringContaining("reloadable") } });
  });

  test("changed handler code on disk is what the new generation runs", async () => {
    await using app = await AppUnderTest.start({ workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" }], files: { "web.ts": HTTP } });
    const url = `http://127.0.0.1:${await app.port("web")}/`;
    expect(await (await fetch(url)).text()).toMatch(/^pid \d+$/);
    await Bun.write(`${app.dir}/web.ts`, `export default { fetch: () => new Response("version 2") };`);
    await app.api("/api/reload", { method: "POST", body: "{}" });
    await app.waitFor(async () => (await (await fetch(url)).text()) === "version 2", 8000, "version 2 served");
  });
});

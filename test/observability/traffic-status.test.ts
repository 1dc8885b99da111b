// Traffic figures in /api/status from real workers: codes, 5xx and handler errors, latency, bytes, messages, lag, app metrics.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { StatusGroup, StatusResponse } from "../../src/admin/contract.ts";
import { AppUnderTest, cliCommand } from "../support/app-under-test.ts";
import { wsClient } from "../support/clients.ts";

const WEB = `
export default {
  fetch(request, server) {
    const path = new URL(request.url).pathname;
    if (path === "/ok") return new Response("ok");
    if (path === "/boom") throw new Error("boom on purpose");
    if (path === "/slow") return Bun.sleep(30).then(() => new Response("slow"));
    if (path === "/block") { const until = Date.now() + 1500; while (Date.now() < until) {} return new Response("blocked"); }
    if (path === "/body") return request.text().then((t) => new Response(t));
    if (path === "/app") {
      server.worker.metrics.inc("jobs_done", 3);
      server.worker.metrics.observe("job_seconds", 0.02);
      return new Response("app");
    }
    return new Response("no such page", { status: 404 });
  },
};`;

// The handler needs the worker for /app: the public module hands it over.
const WEB_WITH_WORKER = WEB.replace("export default {", `import { worker } from "workerman-app";\nexport default {`).replace(/server\.worker/g, "worker");

const CHAT = `export default { onMessage(conn, data) { conn.send("echo " + data); conn.send("again " + data); } };`;

const OK = 30;
const MISSING = 7;
const BOOM = 5;

describe("traffic figures in /api/status", () => {
  let app: AppUnderTest;
  let base = "";

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [
        { name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" },
        { name: "chat", listen: "websocket://127.0.0.1:0", count: 1, handler: "./chat.ts" },
      ],
      files: { "web.ts": WEB_WITH_WORKER, "chat.ts": CHAT },
    });
    base = `http://127.0.0.1:${await app.port("web")}`;
  }, 30_000);
  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
  });

  const group = (status: StatusResponse, name: string): StatusGroup => status.groups.find((g) => g.name === name)!;

  test("200s, 404s from the handler and 500s from a throwing handler are counted exactly, per group and per process", async () => {
    const paths = [...Array(OK).fill("/ok"), ...Array(MISSING).fill("/missing"), ...Array(BOOM).fill("/boom")];
    const codes = await Promise.all(paths.map(async (path) => (await fetch(base + path)).status));
    expect(codes.filter((c) => c === 200).length).toBe(OK);
    const status = await app.waitFor(
      async () => {
        const s = await app.status();
        return group(s, "web").messages.in === OK + MISSING + BOOM && group(s, "web").responses["500"] === BOOM ? s : undefined;
      },
      5000,
      "every request in the web group's figures",
    );
    const web = group(status, "web");
    expect(web.responses).toEqual({ "200": OK, "404": MISSING, "500": BOOM });
    expect(web.errors).toEqual({ http5xx: BOOM, handler: BOOM });
    expect(web.messages).toEqual({ in: OK + MISSING + BOOM, out: OK + MISSING + BOOM });
    expect(web.latency.p50).toBeGreaterThan(0);
    expect(web.latency.p99!).toBeGreaterThanOrEqual(web.latency.p50!);
    const rows = status.processes.filter((p) => p.group === "web");
    expect(rows.reduce((n, p) => n + (p.responses["200"] ?? 0), 0)).toBe(OK);
    expect(rows.reduce((n, p) => n + p.errors.http5xx, 0)).toBe(BOOM);
    for (const row of rows) expect(row.eventLoopLagSeconds).not.toBeNull();
    // Not http: no latency, no codes.
    expect(group(status, "chat").latency).toEqual({ p50: null, p99: null });
    expect(group(status, "chat").responses).toEqual({});
  });

  test("a handler that waits 30 ms moves p99 to at least 25 ms", async () => {
    await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/slow`).then((r) => r.text())));
    const web = await app.waitFor(
      async () => {
        const g = group(await app.status(), "web");
        return (g.latency.p99 ?? 0) >= 0.025 ? g : undefined;
      },
      5000,
      "p99 >= 25 ms",
    );
    expect(web.latency.p99!).toBeLessThan(0.5);
  });

  test("request bodies count as bytes in; http bytes out is null (not measured), not a 0", async () => {
    const before = group(await app.status(), "web").bytes;
    expect(before.out).toBeNull();
    const response = await fetch(`${base}/body`, { method: "POST", body: "x".repeat(1000) });
    expect((await response.text()).length).toBe(1000);
    const after = await app.waitFor(
      async () => {
        const b = group(await app.status(), "web").bytes;
        return b.in >= before.in + 1000 ? b : undefined;
      },
      5000,
      "1000 bytes in",
    );
    expect(after).toEqual({ in: before.in + 1000, out: null });
  });

  test("a WebSocket group counts messages in and out, and their bytes", async () => {
    const client = await wsClient(`ws://127.0.0.1:${await app.port("chat")}`);
    try {
      for (let i = 0; i < 4; i++) client.ws.send(`m${i}`);
      for (let i = 0; i < 4; i++) await client.next((m) => m === `again m${i}`);
      const chat = await app.waitFor(
        async () => {
          const g = group(await app.status(), "chat");
          return g.messages.out === 8 ? g : undefined;
        },
        5000,
        "8 messages out",
      );
      expect(chat.messages).toEqual({ in: 4, out: 8 });
      expect(chat.bytes.in).toBe(8);
      expect(chat.bytes.out).toBe(4 * "echo m0".length + 4 * "again m0".length);
    } finally {
      client.ws.close();
    }
  });

  test("a blocked event loop shows in that process's lag; the others stay below it", async () => {
    expect(await (await fetch(`${base}/block`)).text()).toBe("blocked");
    // 1.5 s blocked; a busy shared machine may delay the others' timers too, but not by a second.
    const status = await app.waitFor(
      async () => {
        const s = await app.status();
        return s.processes.some((p) => p.group === "web" && (p.eventLoopLagSeconds ?? 0) >= 1.2) ? s : undefined;
      },
      5000,
      "a web process with >= 1.2 s of lag",
    );
    const lagging = status.processes.filter((p) => (p.eventLoopLagSeconds ?? 0) >= 1);
    expect(lagging.length).toBe(1);
    expect(lagging[0]!.eventLoopLagSeconds!).toBeLessThan(3);
    expect(group(status, "web").eventLoopLagSeconds!).toBeGreaterThanOrEqual(1.2);
  });

  test("the status command: --json carries the figures; the table has 5xx/thrown and latency columns and a row per group", async () => {
    const run = async (...args: string[]) => {
      const child = Bun.spawn([...cliCommand(), "status", "--config", app.configPath, ...args], { stdout: "pipe", stderr: "pipe" });
      const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
      expect(code).toBe(0);
      return out;
    };
    const json = JSON.parse(await run("--json")) as StatusResponse;
    expect(group(json, "web").errors).toEqual({ http5xx: BOOM, handler: BOOM });
    expect(json.processes.every((p) => "latency" in p && "eventLoopLagSeconds" in p && "responses" in p)).toBe(true);
    const table = await run();
    expect(table).toContain("5xx/thrown");
    const webRow = table.split("\n").find((line) => /^group\s+web\s/.test(line));
    expect(webRow).toMatch(new RegExp(`\\s${BOOM}/${BOOM}\\s`));
    expect(webRow).toContain("2/2 up");
  });

  test("worker.metrics values and observed histograms show per process and summed per group", async () => {
    await fetch(`${base}/app`);
    await fetch(`${base}/app`);
    const web = await app.waitFor(
      async () => {
        const g = group(await app.status(), "web");
        return g.app.values.jobs_done === 6 && g.app.histograms.job_seconds?.count === 2 ? g : undefined;
      },
      5000,
      "jobs_done 6 and 2 job_seconds observations",
    );
    expect(web.app.histograms.job_seconds!.sum).toBeCloseTo(0.04, 6);
    expect(web.app.histograms.job_seconds!.p50).toBeGreaterThan(0.01);
    expect(web.app.histograms.job_seconds!.p50).toBeLessThanOrEqual(0.025);
  });
});

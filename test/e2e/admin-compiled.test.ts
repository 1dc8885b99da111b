// The admin API and the connections command in the compiled executable: auth, live connections, /metrics, history.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ConnectionsResponse, MetricsHistoryResponse } from "../../src/admin/contract.ts";
import { parsePrometheus } from "../admin/prometheus-parser.ts";
import { AppUnderTest, BINARY } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { wsClient } from "../support/clients.ts";

const HANDLER = `export default { onConnect(conn) { conn.send("hello " + process.pid + " " + conn.id); } };`;

describe("admin API (compiled)", () => {
  let app: AppUnderTest;

  beforeAll(async () => {
    await ensureBinary();
    app = await AppUnderTest.start({
      mode: "compiled",
      workers: [{ name: "chat", listen: "websocket://127.0.0.1:0", count: 2, handler: "./chat.ts" }],
      files: { "chat.ts": HANDLER },
    });
  }, 120_000);
  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
  });

  test("an open WebSocket shows in /api/connections and in `connections --json`; no token, no answer", async () => {
    const client = await wsClient(`ws://127.0.0.1:${await app.port("chat")}`);
    const [, pid, id] = (await client.next((m) => m.startsWith("hello "))).split(" ");
    expect((await fetch(`${app.adminUrl}/api/connections`)).status).toBe(401);
    const list = await app.api<ConnectionsResponse>("/api/connections");
    expect(list.items.map((c) => [c.pid, c.id, c.protocol])).toEqual([[Number(pid), Number(id), "websocket"]]);
    const cli = Bun.spawnSync([BINARY, "connections", "--json", "--config", app.configPath]);
    expect(cli.exitCode).toBe(0);
    expect((JSON.parse(cli.stdout.toString()) as ConnectionsResponse).items.map((c) => c.pid)).toEqual([Number(pid)]);
    client.ws.close();
    await client.closed;
  });

  test("/metrics parses as Prometheus text and history is recorded (bun:sqlite inside the executable)", async () => {
    const families = parsePrometheus(await (await fetch(`${app.adminUrl}/metrics`, { headers: { Authorization: `Bearer ${app.token}` } })).text());
    expect(families.get("workerman_up")!.samples.filter((s) => s.value === 1).length).toBe(3);
    const history = await app.waitFor(
      async () => {
        const h = await app.api<MetricsHistoryResponse>("/api/metrics/history?step=1");
        return h.groups.find((g) => g.group === "chat" && g.points.length >= 1);
      },
      5000,
      "history of group chat",
    );
    expect(history.points[0]!.rssBytes).toBeGreaterThan(0);
  });
});

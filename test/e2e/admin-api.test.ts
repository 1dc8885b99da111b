// The admin API against the real product: live figures, connections and timers over IPC, SSE, /metrics, reload, the CLI.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ConnectionsResponse, ListResponse, StoredEvent, AuditRecord, TimerItem } from "../../src/admin/contract.ts";
import { parsePrometheus } from "../admin/prometheus-parser.ts";
import { readSse } from "../admin/sse-reader.ts";
import { AppUnderTest, cliCommand, isAlive, livePids } from "../support/app-under-test.ts";
import { wsClient, type WsClient } from "../support/clients.ts";
import { within } from "../support/wait.ts";

const HANDLER = `
export default {
  onWorkerStart(worker) { worker.timers.add(60, () => {}, { persistent: true }); },
  onConnect(conn) { conn.send("hello " + process.pid + " " + conn.id); },
  onMessage(conn, data) { conn.send("echo " + data); },
};`;

describe("admin API (source)", () => {
  let app: AppUnderTest;
  const clients: { client: WsClient; pid: number; id: number }[] = [];

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [{ name: "chat", listen: "websocket://127.0.0.1:0", count: 2, handler: "./chat.ts" }],
      files: { "chat.ts": HANDLER },
    });
  }, 30_000);
  afterAll(async () => {
    for (const { client } of clients) client.ws.close();
    await app?.[Symbol.asyncDispose]();
  });

  test("3 WebSockets: /api/status counts 3 connections, each on the pid that greeted it", async () => {
    const port = await app.port("chat");
    for (let i = 0; i < 3; i++) {
      const client = await wsClient(`ws://127.0.0.1:${port}`);
      const [, pid, id] = (await client.next((m) => m.startsWith("hello "))).split(" ");
      clients.push({ client, pid: Number(pid), id: Number(id) });
    }
    const expected = new Map<number, number>();
    for (const { pid } of clients) expected.set(pid, (expected.get(pid) ?? 0) + 1);
    // Workers report once a second: wait for the report that includes the third connection.
    const status = await app.waitFor(
      async () => {
        const s = await app.status();
        return s.processes.reduce((n, p) => n + p.connections, 0) === 3 ? s : undefined;
      },
      5000,
      "3 connections in /api/status",
    );
    for (const p of status.processes) expect(p.connections).toBe(expected.get(p.pid ?? -1) ?? 0);
  });

  test("/api/connections lists exactly those connections, with their pid and id", async () => {
    const list = await app.api<ConnectionsResponse>("/api/connections");
    expect(list.total).toBe(3);
    expect(list.errors).toEqual([]);
    expect(list.items.map((c) => `${c.pid}/${c.id}`).sort()).toEqual(clients.map((c) => `${c.pid}/${c.id}`).sort());
    for (const item of list.items)
      expect(item).toMatchObject({ group: "chat", protocol: "websocket", transport: "tcp", remoteAddress: "127.0.0.1", state: "ESTABLISHED" });
    const paged = await app.api<ConnectionsResponse>(`/api/connections?limit=1&offset=1&pid=${clients[0]!.pid}`);
    expect(paged.total).toBe(clients.filter((c) => c.pid === clients[0]!.pid).length);
    expect(paged.items.length).toBe(paged.total > 1 ? 1 : 0);
  });

  test("DELETE /api/connections/:pid/:id closes that connection on the client, and only that one", async () => {
    const victim = clients.shift()!;
    const response = await fetch(`${app.adminUrl}/api/connections/${victim.pid}/${victim.id}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${app.token}` },
    });
    expect(response.status).toBe(200);
    await within(victim.client.closed, 3000, "the client to be closed");
    for (const { client } of clients) {
      client.ws.send("still here");
      expect(await client.next((m) => m === "echo still here")).toBe("echo still here");
    }
    const again = await fetch(`${app.adminUrl}/api/connections/${victim.pid}/${victim.id}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${app.token}` },
    });
    expect(again.status).toBe(404);
  });

  test("the CLI lists the remaining connections in Workerman's columns, and as JSON", async () => {
    const table = Bun.spawnSync([...cliCommand(), "connections", "--config", app.configPath]);
    expect(table.exitCode).toBe(0);
    const lines = table.stdout.toString().trim().split("\n");
    expect(lines[0]).toMatch(/^pid\s+worker\s+cid\s+trans\s+protocol\s+recv-q\s+send-q\s+bytes-r\s+bytes-w\s+state\s+local address\s+foreign address$/);
    for (const { pid, id } of clients) expect(lines.some((l) => new RegExp(`^${pid}\\s+chat\\s+${id}\\s+tcp\\s+websocket\\s`).test(l))).toBe(true);
    expect(lines.at(-1)).toBe("2 connections");
    const json = Bun.spawnSync([...cliCommand(), "connections", "--json", "--config", app.configPath]);
    const parsed = JSON.parse(json.stdout.toString()) as ConnectionsResponse;
    expect(parsed.total).toBe(2);
  });

  test("/api/timers shows each worker's timer; DELETE removes it", async () => {
    const { items: timers, errors } = await app.api<ListResponse<TimerItem>>("/api/timers");
    expect(errors).toEqual([]);
    const pids = await app.pids("chat");
    expect(timers.map((t) => t.pid).sort()).toEqual([...pids].sort());
    expect(timers[0]).toMatchObject({ group: "chat", intervalMs: 60_000, persistent: true, runs: 0 });
    const target = timers[0]!;
    const response = await fetch(`${app.adminUrl}/api/timers/${target.pid}/${target.id}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${app.token}` },
    });
    expect(response.status).toBe(200);
    expect((await app.api<ListResponse<TimerItem>>("/api/timers")).items.map((t) => t.pid)).toEqual(pids.filter((p) => p !== target.pid));
  });

  test("/metrics parses as Prometheus text and agrees with /api/status", async () => {
    const response = await fetch(`${app.adminUrl}/metrics`, { headers: { Authorization: `Bearer ${app.token}` } });
    const families = parsePrometheus(await response.text());
    const status = await app.status();
    const connections = families.get("workerman_connections")!;
    expect(connections.type).toBe("gauge");
    for (const p of status.processes) {
      expect(connections.samples.find((s) => s.labels.pid === String(p.pid))).toEqual({ labels: { group: "chat", pid: String(p.pid) }, value: p.connections });
      const up = families.get("workerman_up")!.samples.find((s) => s.labels.pid === String(p.pid));
      expect(up?.value).toBe(1);
    }
    expect(families.get("process_resident_memory_bytes")!.samples.length).toBe(status.processes.length + 1);
  });

  test("SSE: a worker killed with -9 arrives as process-exited (crashed), and stats tick each second", async () => {
    const response = await fetch(`${app.adminUrl}/api/events`, { headers: { Authorization: `Bearer ${app.token}` } });
    const sse = readSse(response);
    try {
      const stats = JSON.parse((await sse.next((m) => m.event === "stats", 3000)).data);
      expect(stats.processes.length).toBe(2);
      const [victim] = await app.pids("chat");
      process.kill(victim!, "SIGKILL");
      const exited = JSON.parse((await sse.next((m) => m.event === "process-exited" && JSON.parse(m.data).pid === victim)).data);
      expect(exited).toMatchObject({ type: "process-exited", group: "chat", signal: "SIGKILL", expected: false, crashed: true });
      const started = JSON.parse((await sse.next((m) => m.event === "process-started")).data);
      expect(started.pid).not.toBe(victim);
    } finally {
      sse.close();
    }
  });

  test("reload through the API replaces every pid, and the event log and audit log remember it all", async () => {
    const before = await app.waitFor(
      async () => {
        const pids = await app.pids("chat");
        return pids.length === 2 ? pids : undefined;
      },
      5000,
      "two ready workers",
    );
    const response = await fetch(`${app.adminUrl}/api/reload`, {
      method: "POST",
      headers: { Authorization: `Bearer ${app.token}`, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(202);
    const { generation } = (await response.json()) as { generation: number };
    const after = await app.waitFor(
      async () => {
        const s = await app.status();
        const current = livePids(s.processes.filter((p) => p.generation === generation && p.state === "ready"));
        return current.length === 2 && s.processes.length === 2 ? current : undefined;
      },
      10_000,
      "generation replaced",
    );
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    await app.waitFor(() => before.every((pid) => !isAlive(pid)), 5000, "old pids gone");

    const events = (await app.api<{ items: StoredEvent[] }>("/api/events/log?limit=200")).items.map((e) => e.type);
    for (const type of ["master-started", "process-started", "process-ready", "process-exited", "reload-begun", "reload-finished"])
      expect(events).toContain(type);
    const audit = (await app.api<{ items: AuditRecord[] }>("/api/audit")).items.map((a) => `${a.action} ${a.result}`);
    expect(audit).toEqual(expect.arrayContaining(["reload ok", "close-connection ok", "delete-timer ok"]));
  });
});

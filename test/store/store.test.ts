// The SQLite store on a real file: migrations, history in and out, downsampling, retention, and failures that must not throw.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventLog } from "../../src/store/event-log.ts";
import { openStore } from "../../src/store/master-store.ts";
import { MetricsHistory, type ProcessSample } from "../../src/store/metrics-history.ts";
import { MIGRATIONS, schemaVersion } from "../../src/store/migrations.ts";
import { StoreConnection, storePath } from "../../src/store/store.ts";

const RETENTION = { keepSecondSamples: 3600, keepMinuteSamples: 7 * 24 * 3600, keepEvents: 30 * 24 * 3600 };
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wm-store-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sample(pid: number, group: string, connections: number, rssBytes = 1000): ProcessSample {
  return { pid, group, connections, requests: connections * 10, qps: connections / 2, rssBytes, cpuPercent: 1.5, lagSeconds: null };
}

describe("store", () => {
  test("a new file is created 0600 in WAL mode at the latest schema version", () => {
    const store = openStore(dir, RETENTION);
    expect(store.available).toBe(true);
    expect(store.health()).toBeNull();
    store.close();
    expect(statSync(storePath(dir)).mode & 0o777).toBe(0o600);
    const db = new Database(storePath(dir));
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect((db.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
    db.close();
  });

  test("reopening runs no migration twice and keeps the data", () => {
    const first = openStore(dir, RETENTION);
    first.history.record(T0, [sample(1, "web", 3)]);
    first.close();
    const second = openStore(dir, RETENTION);
    expect(second.health()).toBeNull();
    expect(second.history.query({ from: T0, to: T0 + 1000, step: 1 }).processes[0]!.points[0]!.connections).toBe(3);
    second.close();
  });

  test("a file from a newer executable is refused without throwing, and reported", () => {
    const db = new Database(storePath(dir), { create: true });
    db.run(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    const lines: string[] = [];
    const store = openStore(dir, RETENTION, (line) => lines.push(line));
    expect(store.available).toBe(false);
    expect(store.health()).toMatchObject({ errors: 1, available: false });
    expect(store.health()!.lastError).toContain("newer than this executable");
    expect(lines.length).toBe(1);
  });

  test("history: series per process and per group, bucketed by step", () => {
    const store = openStore(dir, RETENTION);
    for (let s = 0; s < 10; s++) store.history.record(T0 + s * 1000, [sample(11, "web", s), sample(12, "web", 10), sample(21, "chat", 1)]);
    const h = store.history.query({ from: T0, to: T0 + 9999, step: 5 });
    expect(h.step).toBe(5);
    const p11 = h.processes.find((p) => p.pid === 11)!;
    expect(p11.group).toBe("web");
    expect(p11.points.map((p) => p.connections)).toEqual([2, 7]); // avg of 0..4 and 5..9
    const web = h.groups.find((g) => g.group === "web")!;
    expect(web.pid).toBeUndefined();
    expect(web.points.map((p) => p.connections)).toEqual([12, 17]);
    expect(web.points.map((p) => p.at)).toEqual([T0, T0 + 5000]);
    expect(h.groups.find((g) => g.group === "chat")!.points.map((p) => p.rssBytes)).toEqual([1000, 1000]);
    store.close();
  });

  test("a huge range raises the step instead of returning millions of points", () => {
    const store = openStore(dir, RETENTION);
    const h = store.history.query({ from: T0 - 7 * 24 * 3600_000, to: T0, step: 1 });
    expect(h.step).toBeGreaterThanOrEqual((7 * 24 * 3600) / 2000);
    store.close();
  });

  test("retention: per-second rows older than keepSecondSamples become per-minute rows; old minutes and events go", () => {
    const store = openStore(dir, RETENTION);
    // Two minutes of per-second samples, two hours ago.
    const start = T0 - 2 * 3600_000;
    for (let s = 0; s < 120; s++) store.history.record(start + s * 1000, [sample(7, "web", s < 60 ? 4 : 8)]);
    store.history.record(T0 - 8 * 24 * 3600_000, [sample(7, "web", 99)]);
    store.log.recordEvent(T0 - 31 * 24 * 3600_000, { type: "ancient" });
    store.log.recordEvent(T0, { type: "recent" });
    store.maintain(T0);
    store.close();

    const db = new Database(storePath(dir));
    const rows = db.query("SELECT resolution, at, connections FROM samples ORDER BY at").all();
    db.close();
    expect(rows).toEqual([
      { resolution: 60, at: start, connections: 4 },
      { resolution: 60, at: start + 60_000, connections: 8 },
    ]);
    const reopened = openStore(dir, RETENTION);
    expect(reopened.log.events(10).map((e) => e.type)).toEqual(["recent"]);
    const h = reopened.history.query({ from: start, to: start + 120_000, step: 60 });
    expect(h.processes[0]!.points.map((p) => p.connections)).toEqual([4, 8]);
    reopened.close();
  });

  test("events and audit records come back newest first, with paging", () => {
    const store = openStore(dir, RETENTION);
    store.log.recordEvent(T0, { type: "process-started", pid: 5, group: "web" });
    store.log.recordEvent(T0 + 1, { type: "process-exited", pid: 5, group: "web" });
    store.log.recordAudit({ at: T0, action: "reload", target: "all", actor: "token", source: "127.0.0.1", result: "ok", detail: { generation: 2 } });
    store.log.recordAudit({ at: T0 + 1, action: "stop", target: "master", actor: "session", source: "127.0.0.1", result: "refused" });
    const events = store.log.events(10);
    expect(events.map((e) => e.type)).toEqual(["process-exited", "process-started"]);
    expect(events[0]).toMatchObject({ pid: 5, group: "web", data: { type: "process-exited", pid: 5 } });
    expect(store.log.events(10, events[0]!.id).map((e) => e.type)).toEqual(["process-started"]);
    const audit = store.log.audit(1);
    expect(audit).toEqual([{ id: 2, at: T0 + 1, action: "stop", target: "master", actor: "session", source: "127.0.0.1", result: "refused" }]);
    expect(store.log.audit(5)[1]!.detail).toEqual({ generation: 2 });
    store.close();
  });
});

describe("store failures never throw", () => {
  test("a folder where the database file should be: unavailable, counted, logged once", () => {
    mkdirSync(storePath(dir));
    const lines: string[] = [];
    const store = openStore(dir, RETENTION, (line) => lines.push(line));
    expect(store.available).toBe(false);
    store.history.record(T0, [sample(1, "web", 1)]);
    store.log.recordEvent(T0, { type: "x" });
    expect(store.history.query({ from: T0, to: T0 + 1000, step: 1 }).processes).toEqual([]);
    expect(store.log.events(5)).toEqual([]);
    expect(store.health()).toMatchObject({ errors: 1, available: false });
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain("keeps serving");
  });

  test("a full disk (SQLITE_FULL): writes fail quietly and are counted, reads still work", () => {
    const lines: string[] = [];
    const conn = new StoreConnection(storePath(dir), (line) => lines.push(line));
    const history = new MetricsHistory(conn);
    const log = new EventLog(conn);
    history.record(T0, [sample(1, "web", 1)]);
    // Cap the file at its current size: the next page SQLite needs is refused as "database or disk is full".
    conn.attempt("cap", (db) => db.run(`PRAGMA max_page_count = ${(db.query("PRAGMA page_count").get() as { page_count: number }).page_count}`), undefined);
    const big = "x".repeat(4000);
    for (let i = 0; i < 50; i++) log.recordEvent(T0 + i, { type: "filler", group: big });
    const health = conn.health()!;
    expect(health.errors).toBeGreaterThan(0);
    expect(health.available).toBe(true);
    expect(health.lastError).toMatch(/full/i);
    expect(lines.length).toBe(1);
    expect(history.query({ from: T0, to: T0 + 1000, step: 1 }).processes[0]!.points[0]!.connections).toBe(1);
    conn.close();
  });
});

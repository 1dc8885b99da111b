// The history's traffic figures: interval counts from counters since start (restarts, resets, quiet groups), percentiles
// from summed histogram counts at any step and across a fold, a store upgraded from schema 3, and writes that fail.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { metricsHistory } from "../../src/admin/api-schemas.ts";
import { BUCKETS } from "../../src/latency-histogram.ts";
import type { StatusGroup, StatusProcess } from "../../src/master/status-records.ts";
import { BUCKET_COLUMNS } from "../../src/store/history-query.ts";
import { openStore } from "../../src/store/master-store.ts";
import { MIGRATIONS, schemaVersion } from "../../src/store/migrations.ts";
import { startRecorder } from "../../src/store/recorder.ts";
import { storePath, type StoreConnection } from "../../src/store/store.ts";
import { TrafficDeltas, type GroupSample, type TrafficInput } from "../../src/store/traffic-deltas.ts";

const RETENTION = { keepSecondSamples: 3600, keepMinuteSamples: 7 * 24 * 3600, keepEvents: 30 * 24 * 3600 };
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wm-traffic-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Per-bucket counts with `n` in bucket `i` (and the rest 0). */
function buckets(...entries: [number, number][]): number[] {
  const out = new Array(BUCKETS.length + 1).fill(0);
  for (const [i, n] of entries) out[i] += n;
  return out;
}

function http(responses: Record<string, number>, counts: number[], handlerErrors = 0, group = "web"): TrafficInput {
  return { group, responses, handlerErrors, buckets: counts };
}

function group(at: number, name: string, spanMs: number, counts: number[] | null, codes: number[] | null = null, handlerErrors = 0): [number, GroupSample] {
  return [at, { group: name, spanMs, handlerErrors, codes, buckets: counts }];
}

const proc = (pid: number, grp = "web", lag: number | null = null) => ({
  pid,
  group: grp,
  connections: 1,
  requests: 0,
  qps: 0,
  rssBytes: 1000,
  cpuPercent: 0,
  lagSeconds: lag,
});

describe("interval counts from the groups' counters since the master started", () => {
  test("the first tick counts from zero since the master started; later ones each group's counts over the span", () => {
    const d = new TrafficDeltas(T0 - 2500);
    expect(d.next(T0, [http({ "200": 5 }, buckets([0, 5]))])).toEqual([
      { group: "web", spanMs: 2500, handlerErrors: 0, codes: [5, 0, 0, 0], buckets: buckets([0, 5]) },
    ]);
    const rows = d.next(T0 + 1000, [
      http({ "200": 8, "404": 1, "503": 2, other: 4 }, buckets([0, 9], [3, 2]), 2),
      { group: "chat", responses: {}, handlerErrors: 1, buckets: null },
    ]);
    expect(rows).toEqual([
      // "other" (codes past the label cap) has no class
      { group: "web", spanMs: 1000, handlerErrors: 2, codes: [3, 0, 1, 2], buckets: buckets([0, 4], [3, 2]) },
      // not http: no codes, no histogram (not zeros: "no p99", not 0)
      { group: "chat", spanMs: 1000, handlerErrors: 1, codes: null, buckets: null },
    ]);
  });

  test("counters that go back (the totals started again) count as new: never a negative difference", () => {
    const d = new TrafficDeltas(T0 - 1000);
    d.next(T0, [http({ "200": 500, "500": 9 }, buckets([1, 509]), 9)]);
    const rows = d.next(T0 + 1000, [http({ "200": 4 }, buckets([1, 4]), 0)]);
    expect(rows[0]).toEqual({ group: "web", spanMs: 1000, handlerErrors: 0, codes: [4, 0, 0, 0], buckets: buckets([1, 4]) });
    for (const row of rows) expect([...(row.codes ?? []), ...(row.buckets ?? []), row.handlerErrors].every((n) => n >= 0)).toBe(true);
  });

  test("a quiet http group gives zero counts, and a clock that went back gives no row", () => {
    const d = new TrafficDeltas(T0 - 1000);
    d.next(T0, [http({}, buckets())]);
    expect(d.next(T0 + 1000, [http({}, buckets())])).toEqual([{ group: "web", spanMs: 1000, handlerErrors: 0, codes: [0, 0, 0, 0], buckets: buckets() }]);
    expect(d.next(T0 + 500, [http({ "200": 1 }, buckets([0, 1]))])).toEqual([]);
  });
});

describe("group history in the store", () => {
  test("the bucket columns are the histogram's buckets and +Inf", () => {
    expect(BUCKET_COLUMNS.length).toBe(BUCKETS.length + 1);
  });

  test("percentiles come from counts summed over the step, not from an average of each second's percentiles", () => {
    const store = openStore(dir, RETENTION);
    // Second 1: 98 fast requests (<= 0.5 ms); second 2: 2 slow ones (2.5-5 s).
    store.history.record(...withProcess(group(T0, "web", 1000, buckets([0, 98]), [98, 0, 0, 0])));
    store.history.record(...withProcess(group(T0 + 1000, "web", 1000, buckets([12, 2]), [0, 0, 0, 2], 2)));
    const perSecond = store.history.query({ from: T0, to: T0 + 1999, step: 1 }).groups[0]!.points;
    expect(perSecond.map((p) => p.latency!.p99)).toEqual([0.000495, 4.975]);
    const two = store.history.query({ from: T0, to: T0 + 1999, step: 2 }).groups[0]!.points;
    expect(two.length).toBe(1);
    // rank 99 of 100 is the first of the 2 slow ones: 2.5 + 2.5 * (1 / 2); an average of the two p99s would be 2.49.
    expect(two[0]!.latency).toEqual({ p50: 0.000255, p99: 3.75 });
    expect(two[0]!.responsesPerSecond).toEqual({ "2xx": 49, "3xx": 0, "4xx": 0, "5xx": 1 });
    expect(two[0]!.handlerErrorsPerSecond).toBe(1);
    store.close();
  });

  test("folding seconds into minutes keeps the minute's percentiles and rates exactly, and lag as the worst", () => {
    const store = openStore(dir, RETENTION);
    const start = T0 - 2 * 3600_000;
    for (let s = 0; s < 60; s++) {
      const slow = s % 10 === 0 ? 10 : 0;
      const [at, g] = group(start + s * 1000, "web", 1000, buckets([1, 10], [8, slow]), [10, 0, slow, 0]);
      store.history.record(at, [proc(1, "web", s === 30 ? 0.25 : 0.001)], [g]);
    }
    const before = store.history.query({ from: start, to: start + 59_999, step: 60 }).groups[0]!.points;
    store.maintain(T0);
    const db = new Database(storePath(dir));
    expect(db.query("SELECT resolution, COUNT(*) AS n, SUM(span_ms) AS span FROM group_samples GROUP BY resolution").all()).toEqual([
      { resolution: 60, n: 1, span: 60_000 },
    ]);
    db.close();
    const after = store.history.query({ from: start, to: start + 59_999, step: 60 }).groups[0]!.points;
    expect(after).toEqual(before);
    expect(after[0]!.eventLoopLagSeconds).toBe(0.25);
    expect(after[0]!.responsesPerSecond).toEqual({ "2xx": 10, "3xx": 0, "4xx": 1, "5xx": 0 });
    // 600 fast (<= 1 ms) and 60 slow (100-250 ms): rank 653.4 is the 53.4th slow one, however the seconds are folded.
    expect(after[0]!.latency!.p99).toBeCloseTo(0.1 + 0.15 * (53.4 / 60), 6);
    store.close();
  });

  test("a group with no request has no p50/p99 (null, not 0), a non-http group no response rates, and lag is its slowest process", () => {
    const store = openStore(dir, RETENTION);
    store.history.record(
      T0,
      [proc(1, "web", 0.002), proc(2, "web", 0.3), proc(3, "chat", null)],
      [group(T0, "web", 1000, buckets(), [0, 0, 0, 0])[1], group(T0, "chat", 1000, null, null, 3)[1]],
    );
    const h = store.history.query({ from: T0, to: T0 + 999, step: 1 });
    const web = h.groups.find((g) => g.group === "web")!.points[0]!;
    expect(web.latency).toEqual({ p50: null, p99: null });
    expect(web.responsesPerSecond).toEqual({ "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 });
    expect(web.eventLoopLagSeconds).toBe(0.3);
    const chat = h.groups.find((g) => g.group === "chat")!.points[0]!;
    expect(chat).toMatchObject({ latency: { p50: null, p99: null }, responsesPerSecond: null, handlerErrorsPerSecond: 3, eventLoopLagSeconds: null });
    expect(h.processes.find((p) => p.pid === 2)!.points[0]!.eventLoopLagSeconds).toBe(0.3);
    expect(metricsHistory.parse(h)).toEqual(h);
    store.close();
  });

  test("a range with no samples answers empty series", () => {
    const store = openStore(dir, RETENTION);
    store.history.record(...withProcess(group(T0, "web", 1000, buckets([0, 1]), [1, 0, 0, 0])));
    const h = store.history.query({ from: T0 + 60_000, to: T0 + 120_000, step: 10 });
    expect(h).toEqual({ from: T0 + 60_000, to: T0 + 120_000, step: 10, groups: [], processes: [] });
    expect(metricsHistory.parse(h)).toEqual(h);
    store.close();
  });
});

function withProcess([at, g]: [number, GroupSample]): [number, ReturnType<typeof proc>[], GroupSample[]] {
  return [at, [proc(1, g.group)], [g]];
}

describe("upgrading a store written by schema 3", () => {
  test("its rows are kept, new columns read null, and the history answers in the API's shape", () => {
    const db = new Database(storePath(dir), { create: true, strict: true });
    for (const [i, sql] of MIGRATIONS.slice(0, 3).entries()) db.transaction(() => (db.run(sql), db.run(`PRAGMA user_version = ${i + 1}`)))();
    const insert = db.query("INSERT INTO samples VALUES (1, $at, 42, 'web', 3, 100, 7.5, 2048, 1.5)");
    for (let s = 0; s < 5; s++) insert.run({ at: T0 + s * 1000 });
    db.close();

    const store = openStore(dir, RETENTION);
    expect(store.health()).toBeNull();
    const h = store.history.query({ from: T0, to: T0 + 4999, step: 1 });
    expect(h.processes[0]!.points.length).toBe(5);
    expect(h.processes[0]!.points[0]).toEqual({ at: T0, connections: 3, qps: 7.5, rssBytes: 2048, cpuPercent: 1.5, eventLoopLagSeconds: null });
    expect(h.groups[0]!.points[0]).toMatchObject({ connections: 3, latency: { p50: null, p99: null }, responsesPerSecond: null, handlerErrorsPerSecond: null });
    expect(metricsHistory.parse(h)).toEqual(h);
    // New rows land beside the old ones.
    store.history.record(...withProcess(group(T0 + 5000, "web", 1000, buckets([2, 4]), [4, 0, 0, 0])));
    expect(store.history.query({ from: T0, to: T0 + 5999, step: 1 }).groups[0]!.points.at(-1)!.latency!.p50).not.toBeNull();
    store.close();
    const after = new Database(storePath(dir));
    expect(schemaVersion(after)).toBe(MIGRATIONS.length);
    after.close();
  });
});

describe("the recorder", () => {
  /** A status row as the recorder reads it: only the fields it uses matter. */
  function row(pid: number, responses: Record<string, number>, handler: number, lag: number | null): StatusProcess {
    return {
      pid,
      group: "web",
      state: "ready",
      connections: 0,
      requests: 0,
      qps: 0,
      rssBytes: 5000,
      cpuPercent: 0,
      responses,
      errors: { http5xx: 0, handler },
      eventLoopLagSeconds: lag,
    } as unknown as StatusProcess;
  }

  test("writes a group row per tick from the groups' counters and histograms; a store refusing writes costs those seconds only", () => {
    const store = openStore(dir, RETENTION, () => undefined);
    let now = { responses: { "200": 10 } as Record<string, number>, handler: 0, counts: buckets([0, 10]), lag: 0.001 };
    const set = (responses: Record<string, number>, handler: number, counts: number[], lag: number) => (now = { responses, handler, counts, lag });
    const status = () => ({
      processes: [row(1, now.responses, now.handler, now.lag)],
      groups: [{ name: "web", responses: now.responses, errors: { http5xx: 0, handler: now.handler } } as unknown as StatusGroup],
    });
    const recorder = startRecorder(store, { status, durations: () => now.counts, subscribe: () => () => undefined }, T0 - 1000);
    try {
      recorder.sample(T0);
      set({ "200": 30, "500": 5 }, 5, buckets([0, 30], [4, 5]), 0.002);
      recorder.sample(T0 + 1000);
      const point = store.history.query({ from: T0, to: T0 + 1999, step: 1 }).groups[0]!.points.at(-1)!;
      expect(point).toMatchObject({ at: T0 + 1000, responsesPerSecond: { "2xx": 20, "5xx": 5 }, handlerErrorsPerSecond: 5, eventLoopLagSeconds: 0.002 });
      expect(point.latency!.p50).toBeLessThanOrEqual(0.0005);

      // A store turned read-only: each write fails, is counted, and nothing throws; the master's loop goes on.
      const conn = (store.history as unknown as { conn: StoreConnection }).conn;
      conn.attempt("test", (db) => db.run("PRAGMA query_only = 1"), undefined);
      expect(() => recorder.sample(T0 + 2000)).not.toThrow();
      set({ "200": 130, "500": 5 }, 5, buckets([0, 130], [4, 5]), 0.002);
      expect(() => recorder.sample(T0 + 3000)).not.toThrow();
      expect(store.health()!.errors).toBe(2);
      expect(store.health()!.lastError).toMatch(/readonly/i);
      expect(store.history.query({ from: T0, to: T0 + 3999, step: 1 }).groups[0]!.points.length).toBe(2);

      // Writable again: the next row holds its own second only, not what was counted while writes failed (no spike).
      conn.attempt("test", (db) => db.run("PRAGMA query_only = 0"), undefined);
      set({ "200": 137, "500": 5 }, 5, buckets([0, 137], [4, 5]), 0.002);
      recorder.sample(T0 + 4000);
      const resumed = store.history.query({ from: T0 + 4000, to: T0 + 4999, step: 1 }).groups[0]!.points[0]!;
      expect(resumed.responsesPerSecond).toEqual({ "2xx": 7, "3xx": 0, "4xx": 0, "5xx": 0 });
    } finally {
      recorder.stop();
      store.close();
    }
  });
});

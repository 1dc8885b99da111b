// Bytes the metrics history takes on disk per tick: schema 3's process rows against today's (lag per process, a traffic row per group).
// Usage: bun bench/history-bytes.ts [--processes 8] [--http 2] [--other 1] [--ticks 36000]
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BUCKETS } from "../src/latency-histogram.ts";
import { MetricsHistory, type ProcessSample } from "../src/store/metrics-history.ts";
import { MIGRATIONS } from "../src/store/migrations.ts";
import { StoreConnection, openDatabase } from "../src/store/store.ts";
import type { GroupSample } from "../src/store/traffic-deltas.ts";

const { values } = parseArgs({
  options: {
    processes: { type: "string", default: "8" },
    http: { type: "string", default: "2" },
    other: { type: "string", default: "1" },
    ticks: { type: "string", default: "36000" },
  },
});
const PROCESSES = Number(values.processes);
const HTTP_GROUPS = Number(values.http);
const OTHER_GROUPS = Number(values.other);
const TICKS = Number(values.ticks);
const T0 = Date.UTC(2030, 0, 1);
const groupNames = [...Array.from({ length: HTTP_GROUPS }, (_, i) => `web${i}`), ...Array.from({ length: OTHER_GROUPS }, (_, i) => `chat${i}`)];

/** A busy second: a few thousand requests spread over the fast buckets, a few slow ones, a few errors. */
function httpGroup(group: string, tick: number): GroupSample {
  const buckets = new Array(BUCKETS.length + 1).fill(0);
  [1800, 900, 250, 40, 8, 2].forEach((n, i) => (buckets[i] = n + (tick % 7)));
  if (tick % 13 === 0) buckets[9] = 1;
  return { group, spanMs: 1000 + (tick % 5), handlerErrors: tick % 11 === 0 ? 1 : 0, codes: [3000 + (tick % 7), 0, 12, tick % 11 === 0 ? 1 : 0], buckets };
}

function processRows(tick: number, lag: boolean): ProcessSample[] {
  return Array.from({ length: PROCESSES }, (_, i) => ({
    pid: 40_000 + i,
    // No group rows asked for (--http 0 --other 0): the processes still need a group name, and the figure is lag alone.
    group: groupNames.length ? groupNames[i % groupNames.length]! : "solo",
    connections: 100 + (tick % 17),
    requests: tick * 1500 + i,
    qps: 1500 + (tick % 100) / 10,
    rssBytes: 60_000_000 + (tick % 1000) * 4096,
    cpuPercent: 40 + (tick % 30) / 10,
    lagSeconds: lag ? 0.0012 + (tick % 50) / 10_000 : null,
  }));
}

const pageBytes = (db: Database) => {
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  return (db.query("PRAGMA page_count").get() as { page_count: number }).page_count * (db.query("PRAGMA page_size").get() as { page_size: number }).page_size;
};

/** Bytes the file grew by per tick (the WAL folded into it) over TICKS ticks of `write`, on a store at schema `version`. */
function bytesPerTick(version: number, write: (db: Database, history: MetricsHistory | null, at: number, tick: number) => void): number {
  const dir = mkdtempSync(join(tmpdir(), "wm-history-bytes-"));
  const path = join(dir, "store.db");
  try {
    // Schema 3 by hand (opening through the store would migrate it); today's through the store, as the master writes it.
    const db = version < MIGRATIONS.length ? new Database(path, { create: true, strict: true }) : openDatabase(path);
    if (version < MIGRATIONS.length) {
      db.run("PRAGMA journal_mode = WAL");
      for (const [i, sql] of MIGRATIONS.slice(0, version).entries()) db.transaction(() => (db.run(sql), db.run(`PRAGMA user_version = ${i + 1}`)))();
    }
    const conn = version < MIGRATIONS.length ? null : new StoreConnection(path);
    const history = conn && new MetricsHistory(conn);
    const empty = pageBytes(db);
    for (let t = 0; t < TICKS; t++) write(db, history, T0 + t * 1000, t);
    if (conn?.health()) throw new Error(conn.health()!.lastError);
    const bytes = (pageBytes(db) - empty) / TICKS;
    conn?.close();
    db.close();
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const v3 = bytesPerTick(3, (db, _h, at, t) => {
  const insert = db.query("INSERT INTO samples VALUES (1, $at, $pid, $grp, $connections, $requests, $qps, $rss, $cpu)");
  db.transaction(() => {
    for (const s of processRows(t, false))
      insert.run({ at, pid: s.pid, grp: s.group, connections: s.connections, requests: s.requests, qps: s.qps, rss: s.rssBytes, cpu: s.cpuPercent });
  })();
});
const v4 = bytesPerTick(MIGRATIONS.length, (_db, h, at, t) => {
  const groups = groupNames.map((g, i) => (i < HTTP_GROUPS ? httpGroup(g, t) : { group: g, spanMs: 1000, handlerErrors: 0, codes: null, buckets: null }));
  h!.record(at, processRows(t, true), groups);
});
const perProcess = v3 / PROCESSES;
const added = v4 - v3;
console.log(`load average ${(await Bun.file("/proc/loadavg").text()).trim()}`);
console.log(`${PROCESSES} processes, ${HTTP_GROUPS} http + ${OTHER_GROUPS} other groups, ${TICKS} ticks`);
console.log(`schema 3: ${v3.toFixed(1)} bytes per tick (${perProcess.toFixed(1)} per process row)`);
console.log(`schema ${MIGRATIONS.length}: ${v4.toFixed(1)} bytes per tick: +${added.toFixed(1)} (+${((added / v3) * 100).toFixed(0)}%)`);
// Retention's defaults: an hour of per-second ticks and a week of per-minute ones.
const kept = 3600 + 7 * 24 * 60;
console.log(`at the default retention (${kept} ticks): ${((v3 * kept) / 2 ** 20).toFixed(1)} MiB -> ${((v4 * kept) / 2 ** 20).toFixed(1)} MiB`);

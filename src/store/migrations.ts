// The store's schema as numbered migrations; PRAGMA user_version records how many have run.
import type { Database } from "bun:sqlite";

/** Append only: a released migration never changes, a new one fixes it. */
export const MIGRATIONS: readonly string[] = [
  // 1: metrics samples (per second, folded into per minute), supervisor events, audit log.
  `CREATE TABLE samples (
     resolution INTEGER NOT NULL,  -- seconds one row covers: 1 or 60
     at INTEGER NOT NULL,          -- unix ms at the start of that interval
     pid INTEGER NOT NULL,
     grp TEXT NOT NULL,
     connections REAL NOT NULL,
     requests INTEGER NOT NULL,
     qps REAL NOT NULL,
     rss_bytes REAL NOT NULL,
     cpu_percent REAL NOT NULL,
     PRIMARY KEY (resolution, at, pid)
   ) WITHOUT ROWID;
   CREATE INDEX samples_at ON samples (at);
   CREATE TABLE events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     type TEXT NOT NULL,
     pid INTEGER,
     grp TEXT,
     data TEXT NOT NULL
   );
   CREATE INDEX events_at ON events (at);
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     action TEXT NOT NULL,
     target TEXT NOT NULL,
     actor TEXT NOT NULL,          -- how the caller proved itself: token, session, or none (a failed login)
     source TEXT NOT NULL,
     result TEXT NOT NULL,
     detail TEXT
   );
   CREATE INDEX audit_at ON audit (at);`,
  // 2: every config the master applied (at start and by reload), bounded to the last few (src/store/config-history.ts).
  `CREATE TABLE configs (
     version INTEGER PRIMARY KEY,  -- 1, 2, ... in the order they were applied
     at INTEGER NOT NULL,          -- unix ms
     who TEXT NOT NULL,            -- what applied it: "start", "restart", "reload (token from 127.0.0.1)", ...
     diff TEXT NOT NULL,           -- JSON ConfigDiff against the version before (every group "added" for the first)
     config TEXT NOT NULL          -- JSON of the resolved AppConfig
   );`,
  // 3: worker.shared on one host (src/key-value/local-store.ts): kept across master restarts.
  `CREATE TABLE shared_values (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL,          -- canonical JSON
     expires_at INTEGER            -- unix ms, NULL: kept until deleted
   ) WITHOUT ROWID;
   CREATE INDEX shared_values_expiry ON shared_values (expires_at) WHERE expires_at IS NOT NULL;`,
  // 4: event-loop lag per process, and per group the interval's traffic (src/store/traffic-deltas.ts): rows written
  // before it have NULL lag and no group row. Counts, not percentiles or rates, so any fold or bucket sums them honestly.
  `ALTER TABLE samples ADD COLUMN lag_seconds REAL;  -- the worst event-loop delay the process reported; NULL: none yet
   CREATE TABLE group_samples (
     at INTEGER NOT NULL,          -- unix ms at the start of the row (second-aligned, or the minute a fold covers)
     grp TEXT NOT NULL,
     resolution INTEGER NOT NULL,  -- 1 or 60, as in samples
     span_ms INTEGER NOT NULL,     -- the time the counts below cover (the recorder's ticks are not exactly 1 s apart)
     handler_errors INTEGER NOT NULL,
     r2xx INTEGER, r3xx INTEGER, r4xx INTEGER, r5xx INTEGER,  -- http groups: responses by class; NULL for other schemes
     -- http groups: handler durations counted per bucket, upper bounds 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500 ms,
     -- 1, 2.5, 5, 10 s and +Inf (src/latency-histogram.ts BUCKETS); NULL for other schemes
     b0 INTEGER, b1 INTEGER, b2 INTEGER, b3 INTEGER, b4 INTEGER, b5 INTEGER, b6 INTEGER, b7 INTEGER,
     b8 INTEGER, b9 INTEGER, b10 INTEGER, b11 INTEGER, b12 INTEGER, b13 INTEGER, b14 INTEGER,
     PRIMARY KEY (at, grp, resolution)
   ) WITHOUT ROWID;`,
];

export function schemaVersion(db: Database): number {
  return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
}

/** Runs the migrations this file has not seen yet, each in its own transaction; refuses a newer file. */
export function migrate(db: Database): number {
  const current = schemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new Error(`store schema version ${current} is newer than this executable knows (${MIGRATIONS.length}): use the newer executable or another dataDir`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.run(MIGRATIONS[version]!);
      // PRAGMA takes no bound parameters; the value is our own integer.
      db.run(`PRAGMA user_version = ${version + 1}`);
    })();
  }
  return MIGRATIONS.length;
}

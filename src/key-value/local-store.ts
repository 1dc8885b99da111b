// worker.shared on one host: the master keeps it in its SQLite store (store.db), so it outlives workers, reloads and a master restart.
import { Database, type Statement } from "bun:sqlite";
import { openDatabase, storePath } from "../store/store.ts";
import { migrate } from "../store/migrations.ts";
import { notAnInteger, tooManyKeys, type SharedBackend, type SharedLimits } from "./shared-backend.ts";

/** Expired rows are removed this often (a read already ignores them), a bounded batch at a time. */
const SWEEP_MS = 10_000;
const SWEEP_BATCH = 10_000;

interface Row {
  value: string;
  expires_at: number | null;
}

/** A row as one call sees it: `live` is its value unless expired; `present` says a row (perhaps expired) takes a place. */
interface Seen {
  live: string | null;
  expiresAt: number | null;
  present: boolean;
}

/**
 * Every call is one SQLite transaction (BEGIN IMMEDIATE): during a restart the old and the new master both write the
 * same file, and SQLite's write lock keeps incr and compareAndSet atomic between them. WAL with synchronous=NORMAL: a
 * committed call survives the master being killed.
 */
export class LocalStore implements SharedBackend {
  readonly where = "the master's store";
  /** Rows in the table, expired ones too; recounted exactly whenever it reaches maxKeys. */
  #rows: number;
  readonly #select: Statement<Row, [string]>;
  readonly #upsert: Statement<unknown, [string, string, number | null]>;
  readonly #setValue: Statement<unknown, [string, string]>;
  readonly #remove: Statement<unknown, [string]>;
  readonly #sweep: Statement<unknown, [number]>;
  readonly #count: Statement<{ n: number }, []>;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly db: Database,
    private readonly limits: SharedLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.#select = db.query("SELECT value, expires_at FROM shared_values WHERE key = ?");
    this.#upsert = db.query(
      "INSERT INTO shared_values (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
    );
    this.#setValue = db.query("UPDATE shared_values SET value = ?2 WHERE key = ?1");
    this.#remove = db.query("DELETE FROM shared_values WHERE key = ?");
    this.#sweep = db.query(`DELETE FROM shared_values WHERE key IN (SELECT key FROM shared_values WHERE expires_at <= ? LIMIT ${SWEEP_BATCH})`);
    this.#count = db.query("SELECT count(*) AS n FROM shared_values");
    this.#rows = this.#count.get()!.n;
    this.#timer = setInterval(() => this.#removeExpired(), SWEEP_MS);
    this.#timer.unref();
  }

  async get(key: string): Promise<string | null> {
    return this.#read(key, this.now()).live;
  }

  async set(key: string, value: string, ttlMs: number | undefined): Promise<void> {
    this.#tx(() => {
      const now = this.now();
      this.#write(key, value, ttlMs === undefined ? null : now + ttlMs, this.#read(key, now), now);
    });
  }

  async incr(key: string, by: number): Promise<number> {
    return this.#tx(() => {
      const now = this.now();
      const seen = this.#read(key, now);
      if (seen.live === null) {
        this.#write(key, String(by), null, seen, now);
        return by;
      }
      const current = JSON.parse(seen.live) as unknown;
      if (typeof current !== "number" || !Number.isSafeInteger(current)) throw notAnInteger(key, seen.live);
      const next = current + by;
      if (!Number.isSafeInteger(next)) throw notAnInteger(key, String(next));
      // An increment keeps the key's expiry, as Redis's INCRBY does.
      this.#setValue.run(key, String(next));
      return next;
    });
  }

  async delete(key: string): Promise<boolean> {
    return this.#tx(() => {
      const seen = this.#read(key, this.now());
      if (!seen.present) return false;
      this.#remove.run(key);
      this.#rows--;
      return seen.live !== null;
    });
  }

  async cas(key: string, expected: string | null, value: string, ttlMs: number | undefined): Promise<boolean> {
    return this.#tx(() => {
      const now = this.now();
      const seen = this.#read(key, now);
      if (seen.live !== expected) return false;
      this.#write(key, value, ttlMs === undefined ? null : now + ttlMs, seen, now);
      return true;
    });
  }

  close(): void {
    clearInterval(this.#timer);
    try {
      this.db.close();
    } catch {
      // best effort: the WAL is consistent either way
    }
  }

  #tx<T>(body: () => T): T {
    return this.db.transaction(body).immediate();
  }

  #read(key: string, now: number): Seen {
    const row = this.#select.get(key);
    if (!row) return { live: null, expiresAt: null, present: false };
    const expired = row.expires_at !== null && row.expires_at <= now;
    return { live: expired ? null : row.value, expiresAt: row.expires_at, present: true };
  }

  #write(key: string, value: string, expiresAt: number | null, seen: Seen, now: number): void {
    if (!seen.present) this.#makeRoom(key, now);
    this.#upsert.run(key, value, expiresAt);
    if (!seen.present) this.#rows++;
  }

  /** A new row past maxKeys: expired rows go first; only live keys at the limit refuse it. */
  #makeRoom(key: string, now: number): void {
    if (this.#rows < this.limits.maxKeys) return;
    while (this.#sweep.run(now).changes === SWEEP_BATCH) {}
    this.#rows = this.#count.get()!.n;
    if (this.#rows >= this.limits.maxKeys) throw tooManyKeys(this.limits.maxKeys, key);
  }

  #removeExpired(): void {
    try {
      this.#rows -= this.#sweep.run(this.now()).changes;
    } catch {
      // a busy or failing store: the next sweep, or the next call's own error, says so
    }
  }
}

/** The store's file in dataDir; when it cannot be opened, memory (kept while this master runs), said once in the log. */
export function openLocalStore(dataDir: string, limits: SharedLimits, log: (line: string) => void): LocalStore {
  let db: Database;
  try {
    db = openDatabase(storePath(dataDir));
  } catch (err) {
    log(`warning: worker.shared is kept in memory only (lost on a master restart): the store would not open (${(err as Error).message})`);
    db = new Database(":memory:");
    migrate(db);
  }
  return new LocalStore(db, limits);
}

// The master's SQLite store (WAL): opens and migrates it, and makes sure no store failure can stop the master.
import { Database } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import type { StoreHealth } from "./records.ts";
import { migrate } from "./migrations.ts";

export function storePath(dataDir: string): string {
  return join(dataDir, "store.db");
}

/**
 * Owns the database handle. Every use goes through `attempt`, which turns an error (disk full, read-only
 * folder, corrupt file) into a counted, once-logged failure and a fallback value, never a throw.
 */
export class StoreConnection {
  #db: Database | null = null;
  #health: StoreHealth | null = null;

  constructor(
    readonly path: string,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {
    try {
      this.#db = openDatabase(path);
    } catch (err) {
      this.#fail("open", err);
    }
  }

  get available(): boolean {
    return this.#db !== null;
  }

  /** null while nothing has failed. */
  health(): StoreHealth | null {
    return this.#health && { ...this.#health, available: this.available };
  }

  /** Runs `use` with the database; on any error counts it, logs the first one, and returns `fallback`. */
  attempt<T>(what: string, use: (db: Database) => T, fallback: T): T {
    try {
      return this.#db ? use(this.#db) : fallback;
    } catch (err) {
      this.#fail(what, err);
      return fallback;
    }
  }

  #fail(what: string, err: unknown): void {
    const message = `${what}: ${(err as Error)?.message ?? String(err)}`;
    const first = this.#health === null;
    this.#health = { errors: (this.#health?.errors ?? 0) + 1, lastError: message, lastErrorAt: Date.now(), available: this.available };
    // Logged once: a full disk would otherwise print a line every second. /api/status keeps the count and the latest.
    if (first) this.log(`warning: the store at ${this.path} failed (${message}); the master keeps serving without history, see /api/status master.storeError`);
  }

  close(): void {
    const db = this.#db;
    this.#db = null;
    try {
      db?.close();
    } catch {
      // closing is best effort; the WAL is consistent either way
    }
  }
}

/** Opens (creating 0600) and migrates the store; throws what stops it. Also worker.shared's own connection to the same file. */
export function openDatabase(path: string): Database {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Created 0600 before SQLite touches it: the audit log holds client addresses. SQLite gives -wal/-shm the same mode.
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
  const db = new Database(path, { create: true, strict: true });
  try {
    db.run("PRAGMA journal_mode = WAL");
    // NORMAL in WAL mode: a committed transaction survives a killed process; only power loss may drop the last ones.
    db.run("PRAGMA synchronous = NORMAL");
    db.run("PRAGMA busy_timeout = 1000");
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

// Stored events (what the supervisor reported) and the audit log (every admin action), newest first on read.
import type { AuditRecord, StoredEvent } from "./records.ts";
import type { StoreConnection } from "./store.ts";

export type AuditInput = Omit<AuditRecord, "id">;

interface EventRow {
  id: number;
  at: number;
  type: string;
  pid: number | null;
  grp: string | null;
  data: string;
}

interface AuditRow {
  id: number;
  at: number;
  action: string;
  target: string;
  actor: string;
  source: string;
  result: string;
  detail: string | null;
}

/** A crash loop's stderr tail or a handler's stack is useful; megabytes of it are not. */
const MAX_DATA_CHARS = 8192;

export class EventLog {
  constructor(private readonly conn: StoreConnection) {}

  /** `event` is stored whole as JSON; its pid and group (when present) are columns for filtering. */
  recordEvent(at: number, event: { type: string; pid?: number; group?: string }): void {
    let data = JSON.stringify(event);
    if (data.length > MAX_DATA_CHARS) data = JSON.stringify({ type: event.type, pid: event.pid, group: event.group, truncated: data.slice(0, MAX_DATA_CHARS) });
    this.conn.attempt(
      "record event",
      (db) => {
        db.query("INSERT INTO events (at, type, pid, grp, data) VALUES ($at, $type, $pid, $grp, $data)").run({
          at,
          type: event.type,
          pid: event.pid ?? null,
          grp: event.group ?? null,
          data,
        });
      },
      undefined,
    );
  }

  recordAudit(record: AuditInput): void {
    this.conn.attempt(
      "record audit",
      (db) => {
        db.query("INSERT INTO audit (at, action, target, actor, source, result, detail) VALUES ($at, $action, $target, $actor, $source, $result, $detail)").run(
          {
            at: record.at,
            action: record.action,
            target: record.target,
            actor: record.actor,
            source: record.source,
            result: record.result,
            detail: record.detail === undefined ? null : JSON.stringify(record.detail),
          },
        );
      },
      undefined,
    );
  }

  /** Newest first; `before` (an id) pages further back. */
  events(limit: number, before = Number.MAX_SAFE_INTEGER): StoredEvent[] {
    const rows = this.conn.attempt(
      "read events",
      (db) => db.query("SELECT id, at, type, pid, grp, data FROM events WHERE id < $before ORDER BY id DESC LIMIT $limit").all({ before, limit }) as EventRow[],
      [] as EventRow[],
    );
    return rows.map((r) => ({ id: r.id, at: r.at, type: r.type, pid: r.pid, group: r.grp, data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  audit(limit: number, before = Number.MAX_SAFE_INTEGER): AuditRecord[] {
    const rows = this.conn.attempt(
      "read audit",
      (db) =>
        db
          .query("SELECT id, at, action, target, actor, source, result, detail FROM audit WHERE id < $before ORDER BY id DESC LIMIT $limit")
          .all({ before, limit }) as AuditRow[],
      [] as AuditRow[],
    );
    return rows.map(({ detail, ...r }) => (detail === null ? r : { ...r, detail: JSON.parse(detail) as Record<string, unknown> }));
  }

  prune(cutoff: number): void {
    this.conn.attempt(
      "prune events",
      (db) => {
        db.transaction(() => {
          db.query("DELETE FROM events WHERE at < $cutoff").run({ cutoff });
          db.query("DELETE FROM audit WHERE at < $cutoff").run({ cutoff });
        })();
      },
      undefined,
    );
  }
}

// Metrics history: one row per process and one per group each second, folded into per-minute rows, read back as bucketed series.
import { BUCKET_COLUMNS, CODE_COLUMNS, readHistory } from "./history-query.ts";
import type { MetricsHistoryResponse } from "./records.ts";
import type { StoreConnection } from "./store.ts";
import type { GroupSample } from "./traffic-deltas.ts";

/** What the master samples from each process once a second. */
export interface ProcessSample {
  pid: number;
  group: string;
  connections: number;
  requests: number;
  qps: number;
  rssBytes: number;
  cpuPercent: number;
  /** The worst event-loop delay in the process's last report, seconds; null before its first (or from a worker that sends none). */
  lagSeconds: number | null;
}

export interface HistoryQuery {
  from: number;
  to: number;
  /** Bucket size in seconds. */
  step: number;
}

/** Past this many buckets the step is raised, so one request cannot ask for millions of points. */
export const MAX_BUCKETS = 2000;

const COUNT_COLUMNS = [...CODE_COLUMNS, ...BUCKET_COLUMNS];

const INSERT_PROCESS = `INSERT OR REPLACE INTO samples (resolution, at, pid, grp, connections, requests, qps, rss_bytes, cpu_percent, lag_seconds)
  VALUES (1, $at, $pid, $grp, $connections, $requests, $qps, $rss, $cpu, $lag)`;
const INSERT_GROUP = `INSERT OR REPLACE INTO group_samples (at, grp, resolution, span_ms, handler_errors, ${COUNT_COLUMNS.join(", ")})
  VALUES ($at, $grp, 1, $span, $errors, ${COUNT_COLUMNS.map((c) => `$${c}`).join(", ")})`;

// A fold keeps counts (sums) and the worst lag (max): a minute row reads as the 60 second rows it replaced would.
const FOLD_PROCESSES = `INSERT OR REPLACE INTO samples (resolution, at, pid, grp, connections, requests, qps, rss_bytes, cpu_percent, lag_seconds)
  SELECT 60, (at / 60000) * 60000 AS minute, pid, grp, AVG(connections), MAX(requests), AVG(qps), AVG(rss_bytes), AVG(cpu_percent), MAX(lag_seconds)
  FROM samples WHERE resolution = 1 AND at < $cutoff GROUP BY minute, pid`;
const FOLD_GROUPS = `INSERT OR REPLACE INTO group_samples (at, grp, resolution, span_ms, handler_errors, ${COUNT_COLUMNS.join(", ")})
  SELECT (at / 60000) * 60000 AS minute, grp, 60, SUM(span_ms), SUM(handler_errors), ${COUNT_COLUMNS.map((c) => `SUM(${c})`).join(", ")}
  FROM group_samples WHERE resolution = 1 AND at < $cutoff GROUP BY minute, grp`;

function groupRow(at: number, g: GroupSample): Record<string, string | number | null> {
  const row: Record<string, string | number | null> = { at, grp: g.group, span: g.spanMs, errors: g.handlerErrors };
  CODE_COLUMNS.forEach((c, i) => (row[c] = g.codes?.[i] ?? null));
  BUCKET_COLUMNS.forEach((c, i) => (row[c] = g.buckets ? (g.buckets[i] ?? 0) : null));
  return row;
}

export class MetricsHistory {
  constructor(private readonly conn: StoreConnection) {}

  /** One transaction per tick: all processes and groups of one second land together or not at all. */
  record(at: number, samples: readonly ProcessSample[], groups: readonly GroupSample[] = []): void {
    if (samples.length === 0 && groups.length === 0) return;
    this.conn.attempt(
      "record samples",
      (db) => {
        const insert = db.query(INSERT_PROCESS);
        const insertGroup = db.query(INSERT_GROUP);
        db.transaction(() => {
          for (const s of samples) {
            insert.run({
              at,
              pid: s.pid,
              grp: s.group,
              connections: s.connections,
              requests: s.requests,
              qps: s.qps,
              rss: s.rssBytes,
              cpu: s.cpuPercent,
              lag: s.lagSeconds,
            });
          }
          for (const g of groups) insertGroup.run(groupRow(at, g));
        })();
      },
      undefined,
    );
  }

  /** Folds per-second rows older than `secondCutoff` into per-minute rows; drops per-minute rows older than `minuteCutoff`. */
  downsample(secondCutoff: number, minuteCutoff: number): void {
    // Only whole minutes are folded, so a minute is never split between two runs.
    const cutoff = Math.floor(secondCutoff / 60_000) * 60_000;
    this.conn.attempt(
      "downsample samples",
      (db) => {
        db.transaction(() => {
          db.query(FOLD_PROCESSES).run({ cutoff });
          db.query(FOLD_GROUPS).run({ cutoff });
          for (const table of ["samples", "group_samples"]) {
            db.query(`DELETE FROM ${table} WHERE resolution = 1 AND at < $cutoff`).run({ cutoff });
            db.query(`DELETE FROM ${table} WHERE resolution = 60 AND at < $minuteCutoff`).run({ minuteCutoff });
          }
        })();
      },
      undefined,
    );
  }

  /** Series per process and per group, over `step`-second buckets (the step raised past MAX_BUCKETS). */
  query(q: HistoryQuery): MetricsHistoryResponse {
    const span = Math.max(0, q.to - q.from);
    const step = Math.max(1, Math.ceil(q.step), Math.ceil(span / 1000 / MAX_BUCKETS));
    const read = this.conn.attempt("read history", (db) => readHistory(db, { from: Math.floor(q.from), to: Math.floor(q.to), stepMs: step * 1000 }), null);
    return { from: q.from, to: q.to, step, processes: read?.processes ?? [], groups: read?.groups ?? [] };
  }
}

// Metrics history: one row per process per second, folded into per-minute rows, read back as bucketed series.
import type { HistoryPoint, HistorySeries, MetricsHistoryResponse } from "./records.ts";
import type { StoreConnection } from "./store.ts";

/** What the master samples from each process once a second. */
export interface ProcessSample {
  pid: number;
  group: string;
  connections: number;
  requests: number;
  qps: number;
  rssBytes: number;
  cpuPercent: number;
}

export interface HistoryQuery {
  from: number;
  to: number;
  /** Bucket size in seconds. */
  step: number;
}

/** Past this many buckets the step is raised, so one request cannot ask for millions of points. */
export const MAX_BUCKETS = 2000;

interface BucketRow {
  bucket: number;
  pid: number;
  grp: string;
  connections: number;
  qps: number;
  rss: number;
  cpu: number;
}

export class MetricsHistory {
  constructor(private readonly conn: StoreConnection) {}

  /** One transaction per tick: all processes of one second land together or not at all. */
  record(at: number, samples: readonly ProcessSample[]): void {
    if (samples.length === 0) return;
    this.conn.attempt(
      "record samples",
      (db) => {
        const insert = db.query(
          `INSERT OR REPLACE INTO samples (resolution, at, pid, grp, connections, requests, qps, rss_bytes, cpu_percent)
         VALUES (1, $at, $pid, $grp, $connections, $requests, $qps, $rss, $cpu)`,
        );
        db.transaction(() => {
          for (const s of samples) {
            insert.run({ at, pid: s.pid, grp: s.group, connections: s.connections, requests: s.requests, qps: s.qps, rss: s.rssBytes, cpu: s.cpuPercent });
          }
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
          db.query(
            `INSERT OR REPLACE INTO samples (resolution, at, pid, grp, connections, requests, qps, rss_bytes, cpu_percent)
           SELECT 60, (at / 60000) * 60000 AS minute, pid, grp, AVG(connections), MAX(requests), AVG(qps), AVG(rss_bytes), AVG(cpu_percent)
           FROM samples WHERE resolution = 1 AND at < $cutoff GROUP BY minute, pid`,
          ).run({ cutoff });
          db.query("DELETE FROM samples WHERE resolution = 1 AND at < $cutoff").run({ cutoff });
          db.query("DELETE FROM samples WHERE resolution = 60 AND at < $minuteCutoff").run({ minuteCutoff });
        })();
      },
      undefined,
    );
  }

  /** Series per process and per group (the sum of its processes), averaged over `step`-second buckets. */
  query(q: HistoryQuery): MetricsHistoryResponse {
    const span = Math.max(0, q.to - q.from);
    const step = Math.max(1, Math.ceil(q.step), Math.ceil(span / 1000 / MAX_BUCKETS));
    const stepMs = step * 1000;
    const rows = this.conn.attempt(
      "read history",
      (db) =>
        db
          .query(
            `SELECT (at / $stepMs) * $stepMs AS bucket, pid, grp, AVG(connections) AS connections, AVG(qps) AS qps,
                AVG(rss_bytes) AS rss, AVG(cpu_percent) AS cpu
         FROM samples WHERE at >= $from AND at <= $to GROUP BY bucket, pid ORDER BY grp, pid, bucket`,
          )
          .all({ stepMs, from: Math.floor(q.from), to: Math.floor(q.to) }) as BucketRow[],
      [] as BucketRow[],
    );
    return { from: q.from, to: q.to, step, processes: perProcess(rows), groups: perGroup(rows) };
  }
}

function point(row: BucketRow): HistoryPoint {
  const round = (n: number) => Math.round(n * 10) / 10;
  return { at: row.bucket, connections: round(row.connections), qps: round(row.qps), rssBytes: Math.round(row.rss), cpuPercent: round(row.cpu) };
}

function perProcess(rows: BucketRow[]): HistorySeries[] {
  const series = new Map<number, HistorySeries>();
  for (const row of rows) {
    let s = series.get(row.pid);
    if (!s) series.set(row.pid, (s = { group: row.grp, pid: row.pid, points: [] }));
    s.points.push(point(row));
  }
  return [...series.values()];
}

function perGroup(rows: BucketRow[]): HistorySeries[] {
  const groups = new Map<string, Map<number, HistoryPoint>>();
  for (const row of rows) {
    let buckets = groups.get(row.grp);
    if (!buckets) groups.set(row.grp, (buckets = new Map()));
    const p = point(row);
    const sum = buckets.get(row.bucket);
    if (!sum) buckets.set(row.bucket, p);
    else {
      sum.connections += p.connections;
      sum.qps = Math.round((sum.qps + p.qps) * 10) / 10;
      sum.rssBytes += p.rssBytes;
      sum.cpuPercent = Math.round((sum.cpuPercent + p.cpuPercent) * 10) / 10;
    }
  }
  return [...groups].map(([group, buckets]) => ({ group, points: [...buckets.values()].sort((a, b) => a.at - b.at) }));
}

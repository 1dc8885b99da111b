// Reads the metrics history back as series per process and per group, bucketed by step, with the groups' traffic figures.
import type { Database } from "bun:sqlite";
import { quantile } from "../latency-histogram.ts";
import type { CodeRates, HistoryPoint, HistorySeries } from "./records.ts";
import { CODE_CLASSES } from "./traffic-deltas.ts";

/** group_samples' count columns (migration 4), in order: r2xx..r5xx, then one per histogram bucket (BUCKETS and +Inf). */
export const CODE_COLUMNS = ["r2xx", "r3xx", "r4xx", "r5xx"] as const;
export const BUCKET_COLUMNS = Array.from({ length: 15 }, (_, i) => `b${i}`);

interface Window {
  from: number;
  to: number;
  stepMs: number;
}

interface ProcessRow {
  bucket: number;
  pid: number;
  grp: string;
  connections: number;
  qps: number;
  rss: number;
  cpu: number;
  lag: number | null;
}

type TrafficRow = { bucket: number; grp: string; span: number; errors: number } & Record<string, number | null>;

/** Group figures of one bucket that only the group rows know. */
type GroupTraffic = Required<Pick<HistoryPoint, "latency" | "responsesPerSecond" | "handlerErrorsPerSecond">>;

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

export function readHistory(db: Database, w: Window): { processes: HistorySeries[]; groups: HistorySeries[] } {
  const processRows = db
    .query(
      `SELECT (at / $stepMs) * $stepMs AS bucket, pid, grp, AVG(connections) AS connections, AVG(qps) AS qps,
         AVG(rss_bytes) AS rss, AVG(cpu_percent) AS cpu, MAX(lag_seconds) AS lag
       FROM samples WHERE at >= $from AND at <= $to GROUP BY bucket, pid ORDER BY grp, pid, bucket`,
    )
    .all({ ...w }) as ProcessRow[];
  // Sums of counts over the bucket (NULL stays NULL for a group with no http process): rates and percentiles come from these.
  const trafficRows = db
    .query(
      `SELECT (at / $stepMs) * $stepMs AS bucket, grp, SUM(span_ms) AS span, SUM(handler_errors) AS errors,
         ${[...CODE_COLUMNS, ...BUCKET_COLUMNS].map((c) => `SUM(${c}) AS ${c}`).join(", ")}
       FROM group_samples WHERE at >= $from AND at <= $to GROUP BY bucket, grp`,
    )
    .all({ ...w }) as TrafficRow[];
  const traffic = new Map(trafficRows.map((row) => [`${row.grp}\u0000${row.bucket}`, trafficOf(row)]));
  return { processes: perProcess(processRows), groups: perGroup(processRows, traffic) };
}

function trafficOf(row: TrafficRow): GroupTraffic {
  const perSecond = (n: number) => (row.span > 0 ? round((n * 1000) / row.span, 3) : 0);
  const http = row.b0 !== null;
  const counts = BUCKET_COLUMNS.map((c) => row[c] ?? 0);
  const estimate = (q: number) => {
    const v = http ? quantile(counts, q) : null;
    return v === null ? null : round(v, 6);
  };
  return {
    latency: { p50: estimate(0.5), p99: estimate(0.99) },
    responsesPerSecond: http ? (Object.fromEntries(CODE_CLASSES.map((k, i) => [k, perSecond(row[CODE_COLUMNS[i]!] ?? 0)])) as unknown as CodeRates) : null,
    handlerErrorsPerSecond: perSecond(row.errors),
  };
}

function point(row: ProcessRow): HistoryPoint {
  return {
    at: row.bucket,
    connections: round(row.connections, 1),
    qps: round(row.qps, 1),
    rssBytes: Math.round(row.rss),
    cpuPercent: round(row.cpu, 1),
    eventLoopLagSeconds: row.lag === null ? null : round(row.lag, 4),
  };
}

function perProcess(rows: ProcessRow[]): HistorySeries[] {
  const series = new Map<number, HistorySeries>();
  for (const row of rows) {
    let s = series.get(row.pid);
    if (!s) series.set(row.pid, (s = { group: row.grp, pid: row.pid, points: [] }));
    s.points.push(point(row));
  }
  return [...series.values()];
}

const NO_TRAFFIC: GroupTraffic = { latency: { p50: null, p99: null }, responsesPerSecond: null, handlerErrorsPerSecond: null };

/** A group's point per bucket: its processes summed (lag: the slowest), with the group's own traffic figures. */
function perGroup(rows: ProcessRow[], traffic: Map<string, GroupTraffic>): HistorySeries[] {
  const groups = new Map<string, Map<number, HistoryPoint>>();
  for (const row of rows) {
    let buckets = groups.get(row.grp);
    if (!buckets) groups.set(row.grp, (buckets = new Map()));
    const p = point(row);
    const sum = buckets.get(row.bucket);
    if (!sum) buckets.set(row.bucket, { ...p, ...(traffic.get(`${row.grp}\u0000${row.bucket}`) ?? NO_TRAFFIC) });
    else {
      sum.connections = round(sum.connections + p.connections, 1);
      sum.qps = round(sum.qps + p.qps, 1);
      sum.rssBytes += p.rssBytes;
      sum.cpuPercent = round(sum.cpuPercent + p.cpuPercent, 1);
      if (p.eventLoopLagSeconds !== null) sum.eventLoopLagSeconds = Math.max(sum.eventLoopLagSeconds ?? 0, p.eventLoopLagSeconds);
    }
  }
  return [...groups].map(([group, buckets]) => ({ group, points: [...buckets.values()].sort((a, b) => a.at - b.at) }));
}

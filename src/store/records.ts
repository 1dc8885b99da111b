// What the store keeps and answers with: applied config versions, stored events, audit rows, metric history, its health.
import type { ConfigDiff } from "../config/config-diff.ts";

/** One applied config as GET /api/configs lists it (newest first); GET /api/configs/:version adds `config`. */
export interface ConfigVersion {
  version: number;
  at: number;
  /** What applied it: "start", "restart", "reload (token from 127.0.0.1)", "reload (SIGUSR1)", ... */
  who: string;
  /** Against the version before it; the first version lists every group as added. */
  diff: ConfigDiff;
}

export interface ConfigVersionDetail extends ConfigVersion {
  /** The resolved config as the master applied it (admin.passwordHash hidden). */
  config: Record<string, unknown>;
}

/** The store's state as /api/status reports it. */
export interface StoreHealth {
  /** Failed store operations since start. */
  errors: number;
  lastError: string;
  lastErrorAt: number;
  /** false when the database could not be opened at all. */
  available: boolean;
}

/** Responses per second by status class over a bucket. */
export interface CodeRates {
  "2xx": number;
  "3xx": number;
  "4xx": number;
  "5xx": number;
}

export interface HistoryPoint {
  /** unix ms at the start of the bucket. */
  at: number;
  connections: number;
  qps: number;
  rssBytes: number;
  cpuPercent: number;
  /** The worst event-loop delay reported in the bucket, seconds (a group: its slowest process); null: none kept (older rows). */
  eventLoopLagSeconds: number | null;
  /**
   * A group's points only. p50/p99 in seconds of the requests answered in the bucket, estimated from the histogram's
   * counts summed over the bucket (never an average of percentiles); null: no request then, or not an http group.
   */
  latency?: { p50: number | null; p99: number | null };
  /** A group's points only: http responses per second by class; null: not http, or no traffic kept for the bucket. */
  responsesPerSecond?: CodeRates | null;
  /** A group's points only: handler callbacks that threw or rejected, per second; null: no traffic kept for the bucket. */
  handlerErrorsPerSecond?: number | null;
}

export interface HistorySeries {
  group: string;
  /** Absent on a group's series (the sum of its processes). */
  pid?: number;
  points: HistoryPoint[];
}

/** GET /api/metrics/history?from=&to=&step= */
export interface MetricsHistoryResponse {
  from: number;
  to: number;
  /** Bucket size in seconds (raised when the range would make too many points). */
  step: number;
  groups: HistorySeries[];
  processes: HistorySeries[];
}

/** GET /api/events/log: what the supervisor reported (process started/exited, reloads, ...). */
export interface StoredEvent {
  id: number;
  at: number;
  /** A StoredEventType, or one a newer version wrote into the same store.db: a string, so readers keep a fallback. */
  type: string;
  pid: number | null;
  group: string | null;
  data: Record<string, unknown>;
}

/** GET /api/audit: every admin action, who asked from where, and how it ended. */
export interface AuditRecord {
  id: number;
  at: number;
  action: string;
  target: string;
  /** How the caller proved itself: "token", "session", or "none" (a failed login). */
  actor: string;
  /** The client's address as the admin socket saw it (proxies' X-Forwarded-For is not trusted). */
  source: string;
  /** "ok", "refused", or an error sentence. */
  result: string;
  detail?: Record<string, unknown>;
}

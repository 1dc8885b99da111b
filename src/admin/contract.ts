// The admin API's JSON shapes, shared by the master's routes, the CLI and the dashboard.
import type { ErrorCode } from "../errors.ts";
import type { SupervisorEvent } from "../master/events.ts";
import type { IpcStatus } from "../master/ipc-drops.ts";
import type { LogLine } from "../master/log-lines.ts";
import type { LastExit, ReloadRecord } from "./contract-deploys.ts";

// Reloads, their reasons and the config history have their own file; importers keep reading them from here.
export type * from "./contract-deploys.ts";

/**
 * What the admin plane itself refuses, beside the product's own codes (ErrorCode: E_USAGE for a bad parameter or
 * body, E_CONFIG for an app.json that does not validate, ...).
 */
export type HttpErrorCode =
  | "E_AUTH" // 401: no credential, a wrong one, or a session that has ended
  | "E_THROTTLED" // 429: too many wrong secrets lately; Retry-After says when to try again
  | "E_FORBIDDEN" // 403: a Host that is not the admin address, or a browser action from another origin
  | "E_NOT_FOUND" // 404: no such route, process, connection, timer, reload or config version
  | "E_METHOD" // 405: the route exists for other methods (listed in Allow)
  | "E_BODY_TOO_LARGE" // 413: a body over 64 KiB
  | "E_MEDIA_TYPE" // 415: a browser session's body not sent as application/json
  | "E_UNAVAILABLE" // 503: the store, the channel relay or the log is not there, or a stream limit is reached
  | "E_INTERNAL"; // 500: a bug; the master logs the stack

export type ApiErrorCode = ErrorCode | HttpErrorCode;

/**
 * Every error answer of the admin API. `message` is the whole sentence, meant to be read as it is (it names the
 * field where there is one); `field` is the parameter, body path or app.json key at fault, for programs.
 */
export interface ApiError<C extends ApiErrorCode = ApiErrorCode> {
  error: { code: C; message: string; field?: string };
}

/** POST /api/reload with an app.json that does not validate: 422, nothing changed; `field` is the first key at fault. */
export type ConfigRefusal = ApiError<"E_CONFIG">;

export interface StatusProcess {
  /** null on a slot's row while no process fills it (state "backoff" or "crashloop"): never 0, which process.kill reads as "my own group". */
  pid: number | null;
  group: string;
  index: number;
  generation: number;
  /** starting, ready, draining, exited; a slot waiting to restart: backoff, or crashloop after repeated quick exits. */
  state: string;
  startedAt: number;
  restarts: number;
  /** backoff / crashloop: when the next start is due (unix ms). */
  nextRetryAt?: number;
  /** The slot's last unasked exit, with its reason. */
  lastExit?: LastExit;
  listen: string;
  connections: number;
  requests: number;
  qps: number;
  sendFail: number;
  handlerErrors: number;
  protocolErrors: number;
  /** Bytes read from and written to this process's peers (http:// counts none: Bun.serve does not report them). */
  bytesRead: number;
  bytesWritten: number;
  /** tcp:// and unix:// connections closed by idleTimeout. */
  idleClosed: number;
  timers: number;
  rssBytes: number;
  cpuPercent: number;
  /** Numbers the handler keeps with worker.metrics (e.g. per-route counts and timings); absent when none. */
  metrics?: Record<string, number>;
}

export interface StatusGroup {
  name: string;
  listen: string;
  count: number;
  reloadable: boolean;
  /** The reload settle window of this group, in seconds. */
  healthySeconds: number;
}

export interface StatusResponse {
  master: {
    pid: number;
    version: string;
    startedAt: number;
    configPath: string;
    name: string;
    /** net.ipv4.tcp_migrate_req: 1 lets reloads hand queued connections over; null when unreadable. */
    tcpMigrateReq: number | null;
    /** Set once a store write failed (disk full, read-only dataDir): the master keeps serving without history. */
    storeError?: StoreHealth | null;
  };
  groups: StatusGroup[];
  processes: StatusProcess[];
  /** The newest reload (running or ended), with each group's outcome and reason; absent before the first. */
  lastReload?: ReloadRecord;
  /** The cross-host channel (`cluster.redis`); null without one. */
  cluster?: StatusCluster | null;
  /** The IPC queues' byte cap and what was dropped past it, both ways. */
  ipc?: IpcStatus;
}

export interface StatusCluster {
  /** The Redis URL, password hidden. */
  redis: string;
  /** This master's id among the instances. */
  instance: string;
  connected: boolean;
  /** Failed Redis operations and lost connections since start (cross-host messages dropped meanwhile). */
  failures: number;
  reconnects: number;
  lastError: string | null;
  /** Bytes handed to Redis and not yet answered (at most cluster.maxPendingBytes). */
  pendingBytes: number;
  /** Publishes and commands refused at that cap since start (cross-host messages dropped). */
  pendingRefused: number;
}

/** What the master writes to <dataDir>/runtime.json so control commands can find it. */
export interface RuntimeInfo {
  pid: number;
  adminUrl: string;
  configPath: string;
  startedAt: number;
  version: string;
  /** true once every worker of the first generation listens (or is being retried after a crash). */
  ready: boolean;
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

/** GET /api/connections: one row per connection of every worker process (old generations too). */
export interface ConnectionItem {
  pid: number;
  id: number;
  group: string;
  protocol: string;
  /** tcp, ssl, udp or unix: the transport of the group's listener. */
  transport: string;
  remoteAddress: string;
  remotePort: number;
  /** The listener's address: host, or the socket path for unix:// ("" for outbound connections). */
  localAddress: string;
  localPort: number;
  bytesRead: number;
  bytesWritten: number;
  /** Bytes accepted by send() but not yet written (the send queue). */
  pendingSendBytes: number;
  openedAt: number;
  /** ESTABLISHED, or DRAINING while its process is being replaced or stopped. */
  state: string;
  /** true: the worker opened it (worker.connect), so remote* is the server it reached. */
  outbound: boolean;
}

export interface ConnectionsResponse {
  total: number;
  items: ConnectionItem[];
  /** Processes that did not answer (exited meanwhile, or busy past the query timeout). */
  errors: { pid: number; error: string }[];
}

/** GET /api/timers: one row per timer of every worker process. */
export interface TimerItem {
  pid: number;
  group: string;
  id: number;
  intervalMs: number;
  persistent: boolean;
  runs: number;
  nextAt: number;
}

export interface HistoryPoint {
  /** unix ms at the start of the bucket. */
  at: number;
  connections: number;
  qps: number;
  rssBytes: number;
  cpuPercent: number;
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

/** What GET /api/events/log keeps: the supervisor's events and the master's own start and stop. */
export type StoredEventType = SupervisorEvent["type"] | "master-started" | "master-stopped";

/** Every type the dashboard's event list draws a row for: the stored ones and the live feed's (stats are figures, not rows). */
export type EventType = StoredEventType | Exclude<LiveEvent["type"], "stats">;

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

export interface ListResponse<T> {
  items: T[];
}

/** The SSE feed's `stats` event, once a second. */
export interface StatsTick {
  at: number;
  processes: Pick<StatusProcess, "pid" | "group" | "index" | "generation" | "state" | "connections" | "requests" | "qps" | "rssBytes" | "cpuPercent">[];
}

/**
 * GET /api/events (text/event-stream): the SSE `event:` name is `type`; `data:` is the JSON of the whole object.
 * Supervisor events keep their shape (src/master/events.ts): a process-exited with expected: false is a crash,
 * and carries crashed: true.
 */
export type LiveEvent =
  | ({ at: number } & SupervisorEvent & { crashed?: boolean })
  | ({ type: "admin-action"; at: number } & Omit<AuditRecord, "id" | "at">)
  | ({ type: "stats" } & StatsTick);

/** One line of the master's log (GET /api/logs): its console and its workers' output. */
export interface LogItem extends LogLine {
  seq: number;
}

/** GET /api/logs?group=&pid=&n=&after=: the newest n matching lines, oldest first; `lastSeq` is the cursor for `after`. */
export interface LogsResponse {
  items: LogItem[];
  lastSeq: number;
}

/** POST /api/login: the session id goes in the X-Session header of every later request (the dashboard keeps it in sessionStorage). */
export interface LoginResponse {
  ok: true;
  session: string;
  expiresAt: number;
}

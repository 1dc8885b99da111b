// The admin API's JSON shapes, shared by the master's routes, the CLI and the dashboard.
import type { ErrorCode } from "../errors.ts";
import type { SupervisorEvent } from "../master/events.ts";
import type { LogLine } from "../master/log-lines.ts";
import type { StatusProcess } from "../master/status-records.ts";
import type { AuditRecord } from "../store/records.ts";

// The records the API shows are the supervisor's and the store's own (src/master/, src/store/), re-exported here so
// the CLI and the dashboard read every shape from one file; the master and the store never import the admin plane.
export type * from "./contract-deploys.ts";
export type { StatusCluster } from "../channel/cluster-status.ts";
export type { IpcStatus } from "../master/ipc-drops.ts";
export type { RunningConfigResponse, RuntimeInfo, StatusGroup, StatusProcess, StatusResponse } from "../master/status-records.ts";
export type { AuditRecord, HistoryPoint, HistorySeries, MetricsHistoryResponse, StoredEvent, StoreHealth } from "../store/records.ts";

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

/** What GET /api/events/log keeps: the supervisor's events and the master's own start and stop. */
export type StoredEventType = SupervisorEvent["type"] | "master-started" | "master-stopped";

/** Every type the dashboard's event list draws a row for: the stored ones and the live feed's (stats are figures, not rows). */
export type EventType = StoredEventType | Exclude<LiveEvent["type"], "stats">;

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

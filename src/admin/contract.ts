// The admin API's JSON shapes, shared by the master's routes, the CLI and the dashboard.
import type { ErrorCode } from "../errors.ts";
import type { SupervisorEvent } from "../master/events.ts";
import type { LogLine } from "../master/log-lines.ts";
import type { IpcStatus } from "../master/ipc-drops.ts";
import type { StatusGroup, StatusProcess, StatusResponse } from "../master/status-records.ts";
import type { AuditRecord, StoreHealth } from "../store/records.ts";

// The records the API shows are the supervisor's and the store's own (src/master/, src/store/), re-exported here so
// the CLI and the dashboard read every shape from one file; the master and the store never import the admin plane.
export type * from "./contract-deploys.ts";
export type { StatusCluster } from "../channel/cluster/cluster-status.ts";
export type * from "../cluster/cluster-records.ts";
export type { IpcStatus } from "../master/ipc-drops.ts";
export type {
  AppHistogramFigures,
  GroupTrafficFigures,
  LatencyFigures,
  RunningConfigResponse,
  RuntimeInfo,
  StatusGroup,
  StatusProcess,
  StatusResponse,
  TrafficFigures,
} from "../master/status-records.ts";
export type { AuditRecord, HistoryPoint, HistorySeries, MetricsHistoryResponse, StoredEvent, StoreHealth } from "../store/records.ts";

/** What the admin plane itself refuses, beside the product's own codes; each code's status is HTTP_STATUS in errors.ts. */
export type { HttpErrorCode } from "../errors.ts";

export type ApiErrorCode = ErrorCode;

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

/** GET /api/connections?group=&pid=&limit=&offset=: `total` counts every match, `items` is the page. */
export interface ConnectionsResponse extends ListResponse<ConnectionItem> {
  total: number;
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

/** A process a list could not ask (it exited meanwhile, or was busy past the query timeout): its rows are missing. */
export interface ProcessError {
  pid: number;
  error: { code: ApiErrorCode; message: string };
}

/** Every list answer: the rows, and the processes whose rows are missing (always empty for lists the master keeps itself). */
export interface ListResponse<T> {
  items: T[];
  errors: ProcessError[];
}

/** The SSE feed's `stats` event, once a second. */
export interface StatsTick {
  at: number;
  processes: Pick<
    StatusProcess,
    | "pid"
    | "group"
    | "index"
    | "generation"
    | "state"
    | "connections"
    | "requests"
    | "qps"
    | "rssBytes"
    | "cpuPercent"
    | "timers"
    | "errors"
    | "latency"
    | "eventLoopLagSeconds"
  >[];
  /** Each group's merged figures (exited processes' counts kept, histograms merged), as in the status. */
  groups: Pick<StatusGroup, "name" | "requests" | "errors" | "latency" | "eventLoopLagSeconds" | "responses">[];
  /**
   * The master's slow-changing facts as /api/status has them (the Redis link, the store's failures, IPC drops), so a
   * reader of the feed needs no status reads to follow them. Absent from a master built before them.
   */
  master?: { cluster: StatusResponse["cluster"] | null; storeError: StoreHealth | null; ipc?: IpcStatus };
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
export interface LogsResponse extends ListResponse<LogItem> {
  lastSeq: number;
}

/** POST /api/login: the session id goes in the X-Session header of every later request (the dashboard keeps it in sessionStorage). */
export interface LoginResponse {
  ok: true;
  session: string;
  expiresAt: number;
}

/**
 * The longest POST /api/processes/:pid/restart with `wait` holds its answer: a slower gate (a long settle window or
 * start) answers "still restarting" then, as without `wait`, so a client's own timeout still tells it the master hangs.
 */
export const PROCESS_RESTART_WAIT_MS = 20_000;

/** POST /api/processes/:pid/restart: under way (`restarting`), or with `wait`, done: the successor that serves. */
export interface ProcessRestartAnswer {
  pid: number;
  group: string;
  index: number;
  restarting: boolean;
  newPid?: number;
  generation?: number;
}

// The one union of messages the master and its workers exchange over the IPC channel.
import type { RelayToWorker, WorkerToRelay } from "./channel/protocol.ts";
import type { ListenAddress, WorkerGroupConfig } from "./config/types.ts";
import type { HistogramCounts } from "./latency-histogram.ts";
import type { SharedReply, SharedRequest } from "./key-value/protocol.ts";

export interface ProcessCounters {
  connections: number;
  /** Requests (http) or messages (other schemes) handed to the handler. */
  requests: number;
  sendFail: number;
  /** Callbacks that threw. */
  handlerErrors: number;
  /** Connections closed for malformed or oversized input. */
  protocolErrors: number;
  /** tcp:// and unix:// connections closed after idleTimeout seconds with no bytes either way. */
  idleClosed: number;
  /** Closed for holding the most input past maxBufferedInput (these four are absent from a worker built before them). */
  inputShed?: number;
  /** Connections closed because a partial packet or body took longer than packageTimeout. */
  packageTimeouts?: number;
  /** New connections closed at once: the process had maxConnections, or their address had maxConnectionsPerIp. */
  refusedMaxConnections?: number;
  refusedMaxConnectionsPerIp?: number;
  bytesRead: number;
  bytesWritten: number;
  /** Calls of a connection's send() (outbound connections too), refused ones included: messages sent are sends - sendFail. */
  sends?: number;
  timers: number;
  rssBytes: number;
  /** Cumulative CPU time, microseconds (user + system). */
  cpuMicros: number;
  /** Messages to the master dropped past the IPC queue's byte cap (src/ipc-outbox.ts). */
  ipcDropped?: number;
  /** Numbers the handler sets with worker.metrics (absent when it sets none). */
  metrics?: Record<string, number>;
  /** The fields below are absent from a worker built before them (src/worker/traffic-report.ts fills them). */
  traffic?: TrafficCounters;
}

/** A histogram as a worker reports it: totals, and the counts of about the last 10 s (for p50/p99). */
export type ReportedHistogram = HistogramCounts & { recent: number[] };

/** Distinct status codes a process (and a group) reports by name; any further code is counted as "other" (label cardinality). */
export const MAX_STATUS_CODES = 40;

export interface TrafficCounters {
  /** http groups: how long handlers took to return a Response, and the responses by status code ("other" past the cap). */
  http?: { duration: ReportedHistogram; codes: Record<string, number> };
  /** The largest delay of the worker's 100 ms lag timer since the last report, in seconds. */
  eventLoopLagSeconds: number;
  /** handlerErrors by callback name (fetch, onMessage, timer, uncaughtException, ...). */
  errorsByCallback: Record<string, number>;
  /** worker.metrics.observe() histograms by name. */
  observed?: Record<string, ReportedHistogram>;
  /** worker.metrics names refused past the caps (MAX_METRIC_NAMES values, MAX_OBSERVED_NAMES histograms). */
  metricsRefused: number;
}

export interface ConnectionInfo {
  id: number;
  protocol: string;
  remoteAddress: string;
  remotePort: number;
  localPort: number;
  bytesRead: number;
  bytesWritten: number;
  pendingSendBytes: number;
  openedAt: number;
  outbound?: boolean;
}

export interface TimerInfo {
  id: number;
  intervalMs: number;
  persistent: boolean;
  runs: number;
  nextAt: number;
}

/** Where a load error points in the user's code (Bun's build errors, or the first stack frame in the user's files). */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
  lineText: string;
}

export type WorkerToMaster =
  | { type: "ready"; listen: ListenAddress }
  /** detail: the underlying error's own message (no code, no file name), for the one-line reason. */
  | {
      type: "fatal";
      code: string;
      message: string;
      stack?: string;
      position?: SourcePosition;
      detail?: string;
      /** Every error of a load Bun reported several of (a syntax error often is), the first one as above. */
      errors?: { message: string; position?: SourcePosition }[];
    }
  | { type: "stats"; counters: ProcessCounters }
  | { type: "handler-error"; callback: string; message: string; stack?: string }
  | { type: "reply"; requestId: number; ok: boolean; data?: unknown; error?: string }
  /** Probation: the listener is closed and its connections drained; the process waits for unpark or stop. */
  | { type: "parked" }
  /** Cross-worker messaging (src/channel/): the master relays these; their payloads are the channel's own. */
  | { type: "channel"; payload: WorkerToRelay }
  /** worker.shared (src/key-value/): a call the master runs where the values live. */
  | { type: "shared"; request: SharedRequest };

export type MasterToWorker =
  /** To a worker spawned before the master read its config (src/master/early-worker.ts): what it serves, and the environment set since its spawn. */
  | { type: "launch"; launch: WorkerLaunch; env: Record<string, string> }
  | { type: "stop"; graceful: boolean; reason: "stop" | "reload" }
  /** Probation after a reload: drain as a reload's stop does, but stay alive with the code loaded (answered "parked"). */
  | { type: "park"; graceful: boolean }
  /** The reload is rolled back: listen again on the same address (answered "ready"). */
  | { type: "unpark" }
  | { type: "query"; requestId: number; what: "connections" | "timers" }
  | { type: "close-connection"; requestId: number; id: number }
  | { type: "delete-timer"; requestId: number; id: number }
  /** The reload's health gate asks the handler's onHealthCheck (answered `data: true` when there is none). */
  | { type: "health-check"; requestId: number }
  | { type: "channel"; payload: RelayToWorker }
  | { type: "shared"; reply: SharedReply };

/** What the master hands a worker: at spawn as JSON in the WORKER_LAUNCH_ENV variable, or to an early worker in a "launch" message. */
export interface WorkerLaunch {
  appName: string;
  group: WorkerGroupConfig;
  index: number;
  generation: number;
  stopTimeoutMs: number;
  drainWindowMs: number;
  /** How long a graceful stop waits for connections before the worker closes the rest itself (absent: for ever). */
  gracefulTimeoutMs?: number;
}

export const WORKER_LAUNCH_ENV = "WORKERMAN_LAUNCH";

/**
 * A process spawned ahead of its launch (a crash restart's next process) carries its launch here too, unread by the
 * worker (it waits for the "launch" message): /proc/<pid>/environ then names its group as any worker's does.
 */
export const PENDING_LAUNCH_ENV = "WORKERMAN_LAUNCH_PENDING";

/** Milliseconds an early worker waits for its "launch" message before it exits (tests set it lower). */
export const LAUNCH_WAIT_ENV = "WORKERMAN_LAUNCH_WAIT_MS";

/** A worker's exit code for "the config or handler file is wrong": retrying will not help, so the first start stops. */
export const EXIT_CONFIG = 78;

/** argv marker that turns the executable into a worker. */
export const WORKER_ARG = "__worker";

// What the master reports about itself: the status rows, runtime.json, the running config.
import type { StatusCluster } from "../channel/cluster/cluster-status.ts";
import type { StoreHealth } from "../store/records.ts";
import type { IpcStatus } from "./ipc-drops.ts";
import type { LastExit, ReloadRecord } from "./records.ts";
import type { GroupTrafficFigures, TrafficFigures } from "./traffic-records.ts";

// The traffic figures' own shapes; the API's readers take them from here (src/admin/contract.ts re-exports them).
export type * from "./traffic-records.ts";

/** Traffic figures (errors, latency, codes, bytes, lag, app metrics): traffic-records.ts. */
export interface StatusProcess extends TrafficFigures {
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
  /** Bytes read from and written to this process's peers (http:// counts bodies only: see `bytes`). */
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

export interface StatusGroup extends GroupTrafficFigures {
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

/** GET /api/config: the config the master runs now (resolved: absolute paths, real ports; admin.passwordHash hidden). */
export interface RunningConfigResponse {
  /** The version in the config history, or null when the store is unavailable. */
  version: number | null;
  config: Record<string, unknown>;
  /** The latest process generation: a restart's new master numbers its own after it. */
  generation: number;
}

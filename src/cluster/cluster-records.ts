// The admin API's shapes for the instances joined by cluster.redis: GET /api/cluster, the rolling reload, the link's events.
import type { ReloadRecord } from "../master/records.ts";
import type { StatusGroup, StatusProcess } from "../master/status-records.ts";

/** One instance as it announced itself in Redis (refreshed every second; gone a few seconds after its last refresh). */
export interface ClusterInstance {
  id: string;
  app: string;
  host: string;
  masterPid: number;
  /** The instance's admin URL (as it listens: 127.0.0.1 unless admin.allowRemote). */
  admin: string;
  version: string;
  startedAt: number;
  lastSeenAt: number;
  /** true for the instance that answered. */
  self: boolean;
  /** No refresh for over 2.5 s: it is probably gone (its entry expires at 6 s). */
  stale: boolean;
  /** It accepts signed cluster commands (it has cluster.secretFile). */
  commands: boolean;
  groups: StatusGroup[];
  processes: StatusProcess[];
}

/** GET /api/cluster. Without cluster.redis (or with Redis unreachable) only this instance, with `connected` false. */
export interface ClusterResponse {
  /** null without cluster.redis. */
  connected: boolean | null;
  /** Signed commands are on here (cluster.secretFile is set): the view may reload other instances. */
  commands: boolean;
  /** Why the list holds this instance alone, when Redis did not answer. */
  error?: string;
  instances: ClusterInstance[];
}

/** The Redis link's transitions, as supervisor events (log, store, live feed). */
export type ClusterEvent =
  /** The link to Redis was lost: cross-host delivery and the cluster view stop until it is back. */
  | { type: "cluster-lost"; error: string; instances: number | null }
  /** Back after `outageMs`; `resynced`: what this instance rewrote into Redis (a restarted Redis starts empty). */
  | { type: "cluster-rejoined"; outageMs: number; resynced: { uids: number; groups: number; newEpochs: string[] } | null }
  /** A cluster command refused (unsigned, badly signed, replayed, too old, commands off). */
  | { type: "cluster-command-refused"; from: string; kind: string; reason: string };

/** One instance's turn in a rolling reload. */
export interface ClusterReloadStep {
  instance: string;
  host: string;
  /** The host name, or host:masterPid where several listed instances share a host. */
  label: string;
  self: boolean;
  /** waiting (not its turn yet), reloading, then replaced / rolled-back / failed; not-reloaded once an earlier one stopped the run. */
  state: "waiting" | "reloading" | "replaced" | "rolled-back" | "failed" | "not-reloaded";
  /** The instance's own reload record once it ended (its groups' outcomes and reasons). */
  record?: ReloadRecord;
  /** failed: why (no answer in time, the instance refused, its app.json is invalid, ...). */
  error?: string;
}

/** POST /api/cluster/reload answers with this (202); GET /api/cluster/reloads/:id returns it as it progresses. */
export interface ClusterReloadRecord {
  id: number;
  /** done: every instance replaced; stopped: one rolled back or failed, the rest were not reloaded. */
  state: "running" | "done" | "stopped";
  graceful: boolean;
  startedAt: number;
  finishedAt?: number;
  /** The step whose outcome stopped the run. */
  stoppedAfter?: string;
  steps: ClusterReloadStep[];
}

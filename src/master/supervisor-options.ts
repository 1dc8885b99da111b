// What the Supervisor is built with and what its reload takes and answers.
import type { ReloadRecord } from "./records.ts";
import type { AppConfig } from "../config/types.ts";
import type { Clock } from "./clock.ts";
import type { GroupPlan } from "./reload-transaction.ts";
import type { Spawner, WorkerProcess } from "./worker-process.ts";
import type { WorkerToRelay } from "../channel/protocol.ts";
import type { WorkerToMaster } from "../ipc.ts";

export interface SupervisorOptions {
  config: AppConfig;
  /** Listening descriptors the master bound for unix:// groups, by group name. */
  listenFds: Map<string, number>;
  log: (line: string, stream: "stdout" | "stderr") => void;
  /** A reload removed this group (its processes are draining): the master lets go of what it bound for it. */
  groupRemoved?: (name: string) => void;
  /** Makes worker processes (default: real children); tests pass doubles. */
  spawner?: Spawner;
  /** How long before a crashed slot's restart is due its process is spawned, to be launched then (default 60 ms with real children, 0 with a given spawner). */
  prespawnLeadMs?: number;
  clock?: Clock;
  /** The first generation (after a restart: one past the old master's latest); default 1. */
  generation?: number;
  /** Where channel payloads from workers go (the channel relay's, wired by master.ts). */
  onChannel?: (payload: WorkerToRelay, from: WorkerProcess) => void;
  /** Where worker.shared calls from workers go (src/key-value/'s master side, wired by master.ts). */
  onShared?: (request: Extract<WorkerToMaster, { type: "shared" }>["request"], from: WorkerProcess) => void;
  /** A process-table invariant broke (default: a line on the master's log); tests throw. */
  invariantBroken?: (text: string) => void;
}

export interface ReloadOptions {
  group?: string;
  graceful?: boolean;
  /** What to do per group (a config reload); default: a new generation of every reloadable group with its settings. */
  plans?: GroupPlan[];
  /** The validated next config whose top-level settings (stopTimeout, drainWindowMs, reload) apply from now on. */
  config?: AppConfig;
  needsRestart?: string[];
}

export interface ReloadHandle {
  record: ReloadRecord;
  /** Resolves when every group of the reload replaced its processes or was rolled back. */
  done: Promise<ReloadRecord>;
}

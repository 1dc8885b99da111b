// The supervisor as others reach it: what they may read (queries) and ask (actions); each consumer is typed by the few members it uses, and master.ts wires the one Supervisor into all of them.
import type { RelayToWorker } from "../channel/protocol.ts";
import type { AppConfig } from "../config/types.ts";
import type { EventListener, SupervisorEvent } from "./events.ts";
import type { ProcessTableView } from "./process-table.ts";
import type { FailureReason, ReloadRecord } from "./records.ts";
import type { Slot } from "./slot.ts";
import type { ReloadHandle, ReloadOptions } from "./supervisor-options.ts";
import type { WorkerProcess } from "./worker-process.ts";

/** A worker process as a reader sees it: who it is, its figures, and questions over IPC; it cannot stop it or write to it. */
export type WorkerView = Readonly<Omit<WorkerProcess, "stop" | "send" | "sampleUsage">>;

/** What may be read: nothing here changes the supervisor. */
export interface SupervisorQueries {
  /** The config the master runs now; the supervisor is its one holder (a reload's commit and a rollback change it). */
  readonly config: AppConfig;
  readonly generation: number;
  /** Reloads since the master started. */
  readonly reloads: number;
  readonly stopping: boolean;
  /** The latest reloads' records, oldest first. */
  readonly reloadRecords: ReadonlyMap<number, ReloadRecord>;
  /** The running groups' slots, in config order. */
  readonly slots: readonly Slot[];
  /** Every live process: serving, starting, gated, draining, parked or stopping. */
  readonly processes: ReadonlySet<WorkerView>;
  /** Who owns each process. */
  readonly table: ProcessTableView;
  /** What the status shows for a slot. */
  stateOf(slot: Slot): string;
}

/** Its events: listen to them, or report one beside them (the channel relay's IPC drops, the cluster link). */
export interface SupervisorEvents {
  on(listener: EventListener): () => void;
  emit(event: SupervisorEvent): void;
}

/**
 * How a replacement ended, for a caller that waits on it (the admin API's restart with `wait`). replaced: the
 * successor serves the slot, and `drained` resolves once the process it replaced has exited (the table has dropped it
 * by then). Otherwise the old process keeps serving: `why` says what ended it (superseded: a reload, a rollback or
 * the master's stop took the slot), with the gate's reason when the successor failed it.
 */
export type ReplacementOutcome =
  | { replaced: true; pid: number; generation: number; oldPid: number | null; drained: Promise<void> }
  | { replaced: false; why: "spawn" | "gate" | "superseded"; message: string; reason?: FailureReason };

/** What may be asked of it. */
export interface SupervisorActions {
  start(): Promise<void>;
  reload(options?: ReloadOptions): ReloadHandle;
  retry(group: string): number;
  /** false: no current process `pid`, or its slot is being replaced, reloaded or stopped; `done` hears how the restart ended. */
  restartProcess(pid: number, done?: (outcome: ReplacementOutcome) => void): boolean;
  stop(graceful: boolean): Promise<void>;
  sendChannel(payload: RelayToWorker, filter?: (proc: WorkerProcess) => boolean): void;
}

/** The admin plane's: queries, events and the operator's actions on processes (start, reload and stop are the master's, through AdminContext). */
export type AdminSupervisor = SupervisorQueries & SupervisorEvents & Pick<SupervisorActions, "retry" | "restartProcess">;
/** The channel relay's: the processes it sends to, and the events it follows and reports. */
export type RelaySupervisor = { readonly processes: ReadonlySet<WorkerProcess> } & SupervisorEvents & Pick<SupervisorActions, "sendChannel">;
/** The status view's and /metrics': queries, and events to follow (the traffic totals count what exits between two reads). */
export type SupervisorView = SupervisorQueries & Pick<SupervisorEvents, "on">;
/** What the traffic totals follow: the live processes, and the events at which some may have exited. */
export type ProcessSource = Pick<SupervisorQueries, "processes"> & Pick<SupervisorEvents, "on">;
/** A restart's takeover: start, then gate every slot's process with the running config. */
export type TakeoverSupervisor = Pick<SupervisorQueries, "config" | "slots"> & Pick<SupervisorActions, "start">;
/** A reload of app.json: the running config to compare with, and the reload. */
export type ConfigReloadSupervisor = Pick<SupervisorQueries, "config"> & Pick<SupervisorActions, "reload">;

// Probation after a reload: the old generation stays parked (listeners closed, code loaded) and takes the group back if a new process exits.
import type { FailureReason, ProbationInfo, ReloadGroup, ReloadRecord } from "./records.ts";
import type { AppConfig, ReloadConfig, WorkerGroupConfig } from "../config/types.ts";
import { delay, type Clock } from "./clock.ts";
import type { SupervisorEvent } from "./events.ts";
import type { ProcessTable } from "./process-table.ts";
import { stopDeadlineMs, type RunningConfig } from "./running-config.ts";
import type { Slot } from "./slot.ts";
import type { WorkerProcess } from "./worker-process.ts";

/** How often a rollback looks whether the unparked processes listen again (they say so with a ready message). */
const UNPARK_POLL_MS = 10;

/** The reload's record of the group, which probation keeps up to date after the reload has returned. */
export interface Deployment {
  entry: ReloadGroup;
  record: ReloadRecord;
}

/** The supervisor's side of a probation: its process table, its running config, its stops and restarts. */
export interface ProbationHost {
  clock: Clock;
  table: ProcessTable;
  /** The running config: a rollback puts the group's previous config back in it. */
  running: RunningConfig;
  stopping(): boolean;
  emit(event: SupervisorEvent): void;
  /** A stop the supervisor asked for (so the exit is no crash), with its usual deadline. */
  stop(proc: WorkerProcess): void;
  /** Starts an empty slot through the restart path (with backoff). */
  restart(slot: Slot): void;
}

interface GroupProbation extends Deployment {
  /** The group's config before the reload, and its slots then, each with the process that parked for it. */
  previous: WorkerGroupConfig;
  old: Slot[];
  parkedIn: Map<Slot, WorkerProcess>;
  graceful: boolean;
  info: ProbationInfo;
  /** The parked processes still alive. */
  parked: Set<WorkerProcess>;
  timer: unknown;
}

export class Probation {
  readonly #groups = new Map<string, GroupProbation>();
  /** Rollbacks whose new processes still serve until the unparked ones listen: a new reload of the group cuts the wait short. */
  readonly #handingBack = new Map<string, () => void>();

  constructor(private readonly host: ProbationHost) {}

  /**
   * `next` passed the gate and took the group's slots from `old`: parks the processes that left them (`leaving`, by
   * slot, draining in the table) instead of stopping them. False when probation is off for the group (the caller stops them).
   */
  begin(
    previous: WorkerGroupConfig,
    next: WorkerGroupConfig,
    old: Slot[],
    leaving: Map<Slot, WorkerProcess>,
    graceful: boolean,
    deployment: Deployment,
  ): boolean {
    const { host } = this;
    const { clock, table } = host;
    const probationMs = probationMsOf(previous, next, host.running.current.reload);
    if (probationMs <= 0) return false;
    const info: ProbationInfo = { until: clock.now() + probationMs, parked: 0, lost: 0 };
    const parked = new Set<WorkerProcess>();
    const parkedIn = new Map<Slot, WorkerProcess>();
    for (const [slot, proc] of leaving) {
      // A respawn still starting (its slot crashed during the settle window) has nothing to keep and would ignore a park
      // (a worker parks only once it serves), then serve the old code beside the new: it stops, its slot empty on a rollback.
      if (proc.state === "starting") {
        host.stop(proc);
        continue;
      }
      table.park(proc);
      proc.state = "draining";
      if (proc.send({ type: "park", graceful })) {
        parked.add(proc);
        parkedIn.set(slot, proc);
      } else {
        // It cannot park (gone, or its IPC refused), so it cannot come back either.
        info.lost++;
        host.stop(proc);
      }
    }
    info.parked = parked.size + info.lost;
    const name = previous.name;
    const timer = clock.setTimeout(() => this.end(name, "passed"), probationMs);
    this.#groups.set(name, { ...deployment, previous, old, parkedIn, graceful, info, parked, timer });
    deployment.entry.probation = info;
    // Parking drains as a stop does: for the drain window the old processes still take new connections (said by reload).
    deployment.entry.drainUntil = clock.now() + host.running.stopDeadlineMs(graceful);
    host.emit({ type: "reload-probation", generation: deployment.record.generation, group: name, until: info.until, parked: info.parked });
    return true;
  }

  /** Ends a probation without a rollback: the parked processes stop (not when the master is stopping them all anyway). */
  end(group: string, outcome: "passed" | "ended", endedBy?: string, stopParked = true): void {
    this.#handingBack.get(group)?.();
    const probation = this.#groups.get(group);
    if (!probation) return;
    this.#close(probation, outcome, endedBy);
    if (stopParked) for (const proc of probation.parked) this.host.stop(proc);
    if (probation.entry.phase === "probation") probation.entry.phase = "replaced";
  }

  /** Ends every probation (the master is stopping: it stops every process itself). */
  endAll(endedBy: string): void {
    for (const group of [...this.#groups.keys()]) this.end(group, "ended", endedBy, false);
  }

  /**
   * A process exited unasked. A parked one is dropped (its slot can no longer roll back); one that filled a slot
   * (`filledSlot`) of a group on probation rolls the group back: returns true, and the supervisor does not restart its slot.
   */
  exited(proc: WorkerProcess, filledSlot: boolean, reason: FailureReason | undefined): boolean {
    for (const probation of this.#groups.values()) {
      if (!probation.parked.delete(proc)) continue;
      probation.info.lost++;
      // Nothing left to roll back to: a rollback would only restart the slots with the code on disk, the new one.
      if (probation.parked.size === 0) this.end(probation.previous.name, "ended", "every parked process exited");
      return false;
    }
    const probation = this.#groups.get(proc.group);
    if (!probation || !reason || !filledSlot) return false;
    void this.#rollBack(probation, proc, duringProbation(reason));
    return true;
  }

  async #rollBack(probation: GroupProbation, crashed: WorkerProcess, reason: FailureReason): Promise<void> {
    const { host } = this;
    const { clock } = host;
    const { entry, record, previous } = probation;
    const unparked = [...probation.parked];
    for (const proc of unparked) proc.send({ type: "unpark" });
    const handing = this.#restore(probation);
    this.#close(probation, "rolled-back");
    Object.assign(entry, { phase: "rolled-back", replaced: 0, reason });
    // A reload whose other groups still gate ends later, and its own finish then counts this group as rolled back.
    if (record.state !== "running") record.state = "rolled-back";
    host.emit({
      type: "reload-probation-ended",
      generation: record.generation,
      group: previous.name,
      outcome: "rolled-back",
      lost: probation.info.lost,
      reason,
    });
    // The new processes keep serving until the parked ones listen again, so the address is never left empty.
    const boundMs = handBackBoundMs(host.running.current, probation.graceful);
    const wait = delay(clock, boundMs);
    const cut = Promise.withResolvers<void>();
    this.#handingBack.set(previous.name, cut.resolve);
    const over = { done: false };
    await Promise.race([Promise.all(unparked.map((proc) => listening(proc, clock, over))), wait.promise, cut.promise]);
    over.done = true;
    wait.cancel();
    if (this.#handingBack.get(previous.name) === cut.resolve) this.#handingBack.delete(previous.name);
    for (const proc of handing) if (proc !== crashed && host.table.entryOf(proc)) host.stop(proc);
  }

  /**
   * The group's previous config and slots again, each with its parked process; a slot whose parked process is gone
   * restarts (with the code on disk). Returns the new processes, which left the slots and serve until the hand-back ends.
   */
  #restore(probation: GroupProbation): WorkerProcess[] {
    const { host } = this;
    const { previous, old, parkedIn, parked } = probation;
    host.running.putGroup(previous);
    // The new generation's slots leave: a replacement gated for one of them stops with them.
    const handing = host.table.setGroupSlots(previous.name, old);
    for (const slot of old) {
      const proc = parkedIn.get(slot);
      if (proc && parked.has(proc)) host.table.serve(slot, proc);
      else if (!host.stopping()) host.restart(slot);
    }
    return handing;
  }

  #close(probation: GroupProbation, outcome: ProbationInfo["outcome"], endedBy?: string): void {
    this.host.clock.clearTimeout(probation.timer);
    this.#groups.delete(probation.previous.name);
    Object.assign(probation.info, { outcome, endedAt: this.host.clock.now(), ...(endedBy ? { endedBy } : {}) });
    if (outcome === "rolled-back") return;
    const { record, info } = probation;
    this.host.emit({
      type: "reload-probation-ended",
      generation: record.generation,
      group: probation.previous.name,
      outcome: outcome!,
      lost: info.lost,
      endedBy,
    });
  }
}

/**
 * The group's probation, or 0 (off). A group whose address changed has none: the master may have let the old address
 * go, so the parked processes would have nothing to listen on again.
 */
export function probationMsOf(previous: WorkerGroupConfig, next: WorkerGroupConfig, reload: ReloadConfig): number {
  const a = previous.listen;
  const b = next.listen;
  if (a.scheme !== b.scheme || a.host !== b.host || a.port !== b.port || a.path !== b.path) return 0;
  return (next.probationSeconds ?? reload.probationSeconds) * 1000;
}

/**
 * How long a rollback's new processes keep serving at most while the unparked ones are not listening yet: a parked
 * process still draining listens once its drain ends (within a stop's deadline), and then needs a start's time.
 */
export function handBackBoundMs(config: AppConfig, graceful: boolean): number {
  return stopDeadlineMs(config, graceful) + config.reload.startTimeout * 1000;
}

/** Resolves once a process told to unpark reports ready again, or exits, or the wait is `over` (the hand-back's bound passed, or a reload cut it short). */
async function listening(proc: WorkerProcess, clock: Clock, over: { done: boolean }): Promise<void> {
  while (!over.done && proc.state !== "ready" && proc.state !== "exited") await delay(clock, UNPARK_POLL_MS).promise;
}

/** `exited with code 5 4.0 s after it was ready, during probation`, with the stderr line after it as before. */
export function duringProbation(reason: FailureReason): FailureReason {
  const message = `${reason.message}, during probation`;
  const text = reason.text.startsWith(reason.message) ? message + reason.text.slice(reason.message.length) : `${reason.text} (during probation)`;
  return { ...reason, message, text };
}

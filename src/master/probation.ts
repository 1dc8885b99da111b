// Probation after a reload: the old generation stays parked (listeners closed, code loaded) and takes the group back if a new process exits.
import type { FailureReason, ProbationInfo, ReloadGroup, ReloadRecord } from "./records.ts";
import type { AppConfig, ReloadConfig, WorkerGroupConfig } from "../config/types.ts";
import { delay, type Clock } from "./clock.ts";
import { stopDeadlineMs } from "./reload-request.ts";
import { withGroup, type Slot } from "./slot.ts";
import type { Supervisor } from "./supervisor.ts";
import type { WorkerProcess } from "./worker-process.ts";

/** The reload's record of the group, which probation keeps up to date after the reload has returned. */
export interface Deployment {
  entry: ReloadGroup;
  record: ReloadRecord;
}

interface Commit extends Deployment {
  /** The group's config before the reload, and its slots then (each with the process that now parks). */
  previous: WorkerGroupConfig;
  old: Slot[];
  graceful: boolean;
}

interface GroupProbation extends Commit {
  info: ProbationInfo;
  parked: Set<WorkerProcess>;
  timer: unknown;
}

export class Probation {
  readonly #groups = new Map<string, GroupProbation>();
  /** Rollbacks whose new processes still serve until the unparked ones listen: a new reload of the group cuts the wait short. */
  readonly #handingBack = new Map<string, () => void>();

  constructor(
    private readonly supervisor: Supervisor,
    private readonly clock: Clock,
    /** A stop the supervisor asked for (so the exit is no crash), with its usual deadline. */
    private readonly stop: (proc: WorkerProcess) => void,
    /** Starts an empty slot through the restart path (with backoff). */
    private readonly restart: (slot: Slot) => void,
  ) {}

  /**
   * `next` passed the gate and takes the group's slots: parks the processes of `old` instead of stopping them.
   * False when probation is off for the group (the caller stops them as before).
   */
  begin(next: WorkerGroupConfig, old: Slot[], graceful: boolean, deployment: Deployment): boolean {
    const { supervisor, clock } = this;
    const previous = supervisor.config.workers.find((g) => g.name === next.name);
    const probationMs = previous ? probationMsOf(previous, next, supervisor.config.reload) : 0;
    if (!previous || probationMs <= 0) return false;
    const commit: Commit = { previous, old, graceful, ...deployment };
    // A respawn still starting (its slot crashed during the settle window) has nothing to keep and would ignore a park
    // (a worker parks only once it serves), then serve the old code beside the new: it stops, its slot empty on a rollback.
    for (const slot of commit.old) {
      if (slot.current?.state !== "starting") continue;
      this.stop(slot.current);
      slot.current = null;
    }
    const procs = commit.old.map((slot) => slot.current).filter((proc): proc is WorkerProcess => proc !== null);
    const name = commit.previous.name;
    const info: ProbationInfo = { until: clock.now() + probationMs, parked: procs.length, lost: 0 };
    const parked = new Set<WorkerProcess>();
    for (const proc of procs) {
      proc.state = "draining";
      if (proc.send({ type: "park", graceful: commit.graceful })) parked.add(proc);
      else info.lost++;
    }
    const timer = clock.setTimeout(() => this.end(name, "passed"), probationMs);
    this.#groups.set(name, { ...commit, info, parked, timer });
    commit.entry.probation = info;
    // Parking drains as a stop does: for the drain window the old processes still take new connections (said by reload).
    commit.entry.drainUntil = clock.now() + stopDeadlineMs(supervisor.config, graceful);
    supervisor.emit({ type: "reload-probation", generation: commit.record.generation, group: name, until: info.until, parked: procs.length });
    return true;
  }

  /** Ends a probation without a rollback: the parked processes stop (not when the master is stopping them all anyway). */
  end(group: string, outcome: "passed" | "ended", endedBy?: string, stopParked = true): void {
    this.#handingBack.get(group)?.();
    const probation = this.#groups.get(group);
    if (!probation) return;
    this.#close(probation, outcome, endedBy);
    if (stopParked) for (const proc of probation.parked) this.stop(proc);
    if (probation.entry.phase === "probation") probation.entry.phase = "replaced";
  }

  /** Ends every probation (the master is stopping: it stops every process itself). */
  endAll(endedBy: string): void {
    for (const group of [...this.#groups.keys()]) this.end(group, "ended", endedBy, false);
  }

  /**
   * A process exited unasked. A parked one is dropped (its slot can no longer roll back); one serving a group on
   * probation rolls the group back: returns true, and the supervisor does not restart its slot.
   */
  exited(proc: WorkerProcess, reason: FailureReason | undefined): boolean {
    for (const probation of this.#groups.values()) {
      if (!probation.parked.delete(proc)) continue;
      probation.info.lost++;
      // Nothing left to roll back to: a rollback would only restart the slots with the code on disk, the new one.
      if (probation.parked.size === 0) this.end(probation.previous.name, "ended", "every parked process exited");
      return false;
    }
    const probation = this.#groups.get(proc.group);
    if (!probation || !reason || !this.#slotsOf(proc.group).some((slot) => slot.current === proc)) return false;
    void this.#rollBack(probation, proc, duringProbation(reason));
    return true;
  }

  async #rollBack(probation: GroupProbation, crashed: WorkerProcess, reason: FailureReason): Promise<void> {
    const { supervisor, clock } = this;
    const { entry, record, previous } = probation;
    const fresh = this.#slotsOf(previous.name);
    for (const slot of fresh) clock.clearTimeout(slot.restartTimer);
    const unparked = [...probation.parked];
    for (const proc of unparked) proc.send({ type: "unpark" });
    this.#restore(probation);
    this.#close(probation, "rolled-back");
    Object.assign(entry, { phase: "rolled-back", replaced: 0, reason });
    // A reload whose other groups still gate ends later, and its own finish then counts this group as rolled back.
    if (record.state !== "running") record.state = "rolled-back";
    supervisor.emit({
      type: "reload-probation-ended",
      generation: record.generation,
      group: previous.name,
      outcome: "rolled-back",
      lost: probation.info.lost,
      reason,
    });
    // The new processes keep serving until the parked ones listen again, so the address is never left empty.
    const boundMs = handBackBoundMs(supervisor.config, probation.graceful);
    const wait = delay(clock, boundMs);
    const cut = Promise.withResolvers<void>();
    this.#handingBack.set(previous.name, cut.resolve);
    const over = { done: false };
    await Promise.race([Promise.all(unparked.map((proc) => listening(proc, boundMs, over))), wait.promise, cut.promise]);
    over.done = true;
    wait.cancel();
    if (this.#handingBack.get(previous.name) === cut.resolve) this.#handingBack.delete(previous.name);
    for (const slot of fresh) if (slot.current && slot.current !== crashed) this.stop(slot.current);
  }

  /** The group's previous config and slots again; a slot whose parked process is gone restarts (with the code on disk). */
  #restore(probation: GroupProbation): void {
    const { supervisor } = this;
    const { previous, old } = probation;
    for (const slot of old) if (slot.current && !probation.parked.has(slot.current)) slot.current = null;
    supervisor.config = { ...supervisor.config, workers: withGroup(supervisor.config.workers, previous, []) };
    supervisor.setSlots(supervisor.slots.filter((s) => s.group.name !== previous.name).concat(old));
    for (const slot of old) if (!slot.current && !supervisor.stopping) this.restart(slot);
  }

  #slotsOf(group: string): Slot[] {
    return this.supervisor.slots.filter((slot) => slot.group.name === group);
  }

  #close(probation: GroupProbation, outcome: ProbationInfo["outcome"], endedBy?: string): void {
    this.clock.clearTimeout(probation.timer);
    this.#groups.delete(probation.previous.name);
    Object.assign(probation.info, { outcome, endedAt: this.clock.now(), ...(endedBy ? { endedBy } : {}) });
    if (outcome === "rolled-back") return;
    const { record, info } = probation;
    this.supervisor.emit({
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

/** Resolves once a process told to unpark reports ready again, or exits, or `boundMs` passes, or the wait is `over`. */
async function listening(proc: WorkerProcess, boundMs: number, over: { done: boolean }): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!over.done && proc.state !== "ready" && proc.state !== "exited" && Date.now() < deadline) await Bun.sleep(10);
}

/** `exited with code 5 4.0 s after it was ready, during probation`, with the stderr line after it as before. */
export function duringProbation(reason: FailureReason): FailureReason {
  const message = `${reason.message}, during probation`;
  const text = reason.text.startsWith(reason.message) ? message + reason.text.slice(reason.message.length) : `${reason.text} (during probation)`;
  return { ...reason, message, text };
}

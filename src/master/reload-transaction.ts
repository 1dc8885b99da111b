// One reload as a per-group transaction: spawn g+1 -> ready -> settle window -> drain (or park) g, or stop g+1 and keep g (rolled-back, with the reason).
import type { FailureReason, ReloadGroup, ReloadRecord } from "./records.ts";
import type { AppConfig, WorkerGroupConfig } from "../config/types.ts";
import type { Clock } from "./clock.ts";
import type { SupervisorEvent } from "./events.ts";
import { interruptedReason } from "./failure-reason.ts";
import { gateGroup } from "./health-gate.ts";
import type { Probation } from "./probation.ts";
import type { ProcessTable } from "./process-table.ts";
import type { RunningConfig } from "./running-config.ts";
import { newSlot } from "./slot.ts";
import { spawnReasonOf } from "./spawn-failure.ts";
import type { WorkerProcess } from "./worker-process.ts";

/** What a reload does to one group; `next` is the group's config for its new generation (absent when removed). */
export interface GroupPlan {
  name: string;
  change: ReloadGroup["change"];
  keys: string[];
  next?: WorkerGroupConfig;
}

/** What a transaction works on: the process table (its only shared state with the supervisor), the running config and probation. */
export interface TransactionHost {
  clock: Clock;
  table: ProcessTable;
  running: RunningConfig;
  probation: Probation;
  /** A process gated for the reload (the table owns it from its spawn); throws when the OS refuses it. */
  spawn: (group: WorkerGroupConfig, index: number, generation: number) => WorkerProcess;
  /** Why the watchdog killed a process, if it did (a hang in the settle window is reported as one). */
  killedReason: (proc: WorkerProcess) => FailureReason | undefined;
  /** A group left app.json: the master lets go of what it bound for it. */
  groupRemoved: (name: string) => void;
  emit: (event: SupervisorEvent) => void;
  stopping: () => boolean;
}

export class ReloadTransaction {
  readonly record: ReloadRecord;
  readonly done: Promise<ReloadRecord>;

  constructor(
    private readonly host: TransactionHost,
    generation: number,
    plans: GroupPlan[],
    graceful: boolean,
    needsRestart: string[],
    /** The next app.json (a config reload): where a new group goes in the group order. */
    private readonly nextConfig?: AppConfig,
  ) {
    const groups = plans.map(
      (plan): ReloadGroup => ({
        name: plan.name,
        change: plan.change,
        keys: plan.keys,
        phase: plan.next ? "starting" : "removed",
        replaced: 0,
        count: plan.next?.count ?? 0,
      }),
    );
    this.record = { id: generation, generation, state: "running", graceful, startedAt: host.clock.now(), groups, needsRestart };
    host.emit({ type: "reload-begun", generation, groups: plans.map((p) => p.name), graceful });
    this.done = Promise.all(plans.map((plan, i) => this.#runGroup(plan, groups[i]!))).then(() => this.#finish());
  }

  async #runGroup(plan: GroupPlan, entry: ReloadGroup): Promise<void> {
    const { host, record } = this;
    if (!plan.next) return this.#remove(plan.name);
    const next = plan.next;
    const procs: WorkerProcess[] = [];
    try {
      for (let index = 0; index < next.count; index++) procs.push(host.spawn(next, index, record.generation));
    } catch (err) {
      // The OS refused a process (EMFILE, E2BIG): the group cannot come up, so it ends now rather than waiting on one that never started.
      return this.#rollBack(entry, procs, spawnReasonOf(err, procs.length));
    }
    const healthyMs = host.running.healthyMs(next);
    const { reload, baseDir } = host.running.current;
    const reason = await gateGroup(
      procs,
      { startTimeoutMs: reload.startTimeout * 1000, healthyMs, clock: host.clock, baseDir, killedReason: host.killedReason },
      {
        onSettling: (until) => {
          entry.phase = "settling";
          entry.settleUntil = until;
          host.emit({ type: "reload-settling", generation: record.generation, group: next.name, until, healthySeconds: healthyMs / 1000 });
        },
      },
    );
    if (host.stopping()) return this.#rollBack(entry, procs, interruptedReason("the master began stopping during the reload"));
    if (reason) return this.#rollBack(entry, procs, reason);
    entry.replaced = procs.length;
    entry.settleUntil = undefined;
    this.#commit(next, procs, entry);
    entry.phase = entry.probation ? "probation" : "replaced";
  }

  /** The new generation passed the gate: it takes the group's slots; the old processes drain (their deadline goes on the record) or park. */
  #commit(group: WorkerGroupConfig, procs: WorkerProcess[], entry: ReloadGroup): void {
    const { table, running, probation, clock } = this.host;
    const { graceful } = this.record;
    const old = table.slotsOf(group.name);
    const previous = running.current.workers.find((g) => g.name === group.name);
    const leaving = new Map(old.flatMap((slot) => (slot.current ? [[slot, slot.current] as const] : [])));
    const fresh = procs.map((proc, index) => ({ ...newSlot(group, index, proc.generation), restarts: old[index]?.restarts ?? 0 }));
    running.putGroup(
      group,
      this.nextConfig?.workers.map((g) => g.name),
    );
    table.setGroupSlots(group.name, fresh);
    procs.forEach((proc, index) => table.serve(fresh[index]!, proc));
    // With probation on, the old processes park instead (listeners closed, code loaded) in case the new ones exit.
    if (previous && probation.begin(previous, group, old, leaving, graceful, { entry, record: this.record })) return;
    for (const proc of leaving.values()) void table.stop(proc, graceful, "reload");
    // Said on the record: the old processes still take new connections for the drain window after "replaced".
    if (leaving.size) entry.drainUntil = clock.now() + running.stopDeadlineMs(graceful);
  }

  /** A group no longer in app.json: its processes drain and stop. */
  #remove(name: string): void {
    const { table, running, groupRemoved } = this.host;
    for (const proc of table.setGroupSlots(name, [])) void table.stop(proc, this.record.graceful, "stop");
    running.removeGroup(name);
    groupRemoved(name);
  }

  /** The new generation is stopped; the old one was never touched. */
  #rollBack(entry: ReloadGroup, procs: WorkerProcess[], reason: FailureReason): void {
    for (const proc of procs) void this.host.table.stop(proc, false);
    entry.phase = "rolled-back";
    entry.reason = reason;
    entry.settleUntil = undefined;
    this.host.emit({
      type: "reload-failed",
      generation: this.record.generation,
      group: entry.name,
      pid: reason.pid ?? 0,
      index: reason.index ?? 0,
      message: reason.text,
      reason,
    });
  }

  #finish(): ReloadRecord {
    const { record, host } = this;
    const rolledBack = record.groups.filter((g) => g.phase === "rolled-back");
    const interrupted = rolledBack.some((g) => g.reason?.kind === "interrupted");
    record.state = interrupted ? "failed" : rolledBack.length ? "rolled-back" : "done";
    if (interrupted) record.error = "the master began stopping during the reload";
    record.finishedAt = host.clock.now();
    const replaced = record.groups.reduce((sum, g) => sum + g.replaced, 0);
    const failed = rolledBack.reduce((sum, g) => sum + g.count, 0);
    host.emit({ type: "reload-finished", generation: record.generation, replaced, failed, state: record.state, rolledBack: rolledBack.map((g) => g.name) });
    return record;
  }
}

// One reload as a per-group transaction: spawn g+1 -> ready -> settle window -> drain g, or stop g+1 and keep g (rolled-back, with the reason).
import type { FailureReason, ReloadGroup, ReloadRecord } from "./records.ts";
import type { WorkerGroupConfig } from "../config/types.ts";
import type { Clock } from "./clock.ts";
import type { SupervisorEvent } from "./events.ts";
import { interruptedReason } from "./failure-reason.ts";
import { gateGroup } from "./health-gate.ts";
import { spawnReasonOf } from "./spawn-failure.ts";
import type { WorkerProcess } from "./worker-process.ts";

/** What a reload does to one group; `next` is the group's config for its new generation (absent when removed). */
export interface GroupPlan {
  name: string;
  change: ReloadGroup["change"];
  keys: string[];
  next?: WorkerGroupConfig;
}

/** The supervisor's side of a transaction: making processes and swapping them in. */
export interface TransactionHost {
  clock: Clock;
  baseDir: string;
  startTimeoutMs: number;
  healthyMs: (group: WorkerGroupConfig) => number;
  spawn: (group: WorkerGroupConfig, index: number, generation: number) => WorkerProcess;
  /** Why the watchdog killed a process, if it did (a hang in the settle window is reported as one). */
  killedReason: (proc: WorkerProcess) => FailureReason | undefined;
  /** The new generation passed: it takes the group's slots (with `next`'s settings); the old processes drain or park (probation, which sets `entry.probation`). */
  commit: (next: WorkerGroupConfig, procs: WorkerProcess[], graceful: boolean, entry: ReloadGroup, record: ReloadRecord) => void;
  /** A group no longer in app.json: drain and stop its processes. */
  remove: (name: string, graceful: boolean) => void;
  /** A rolled-back generation: stop its processes; the old ones were never touched. */
  discard: (procs: WorkerProcess[]) => void;
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
    if (!plan.next) {
      host.remove(plan.name, record.graceful);
      return;
    }
    const next = plan.next;
    const procs: WorkerProcess[] = [];
    try {
      for (let index = 0; index < next.count; index++) procs.push(host.spawn(next, index, record.generation));
    } catch (err) {
      // The OS refused a process (EMFILE, E2BIG): the group cannot come up, so it ends now rather than waiting on one that never started.
      return this.#rollBack(entry, procs, spawnReasonOf(err, procs.length));
    }
    const healthyMs = host.healthyMs(next);
    const reason = await gateGroup(
      procs,
      { startTimeoutMs: host.startTimeoutMs, healthyMs, clock: host.clock, baseDir: host.baseDir, killedReason: host.killedReason },
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
    host.commit(next, procs, record.graceful, entry, record);
    entry.phase = entry.probation ? "probation" : "replaced";
  }

  #rollBack(entry: ReloadGroup, procs: WorkerProcess[], reason: FailureReason): void {
    this.host.discard(procs);
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

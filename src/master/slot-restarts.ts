// A crashed slot's way back: the next backoff step, a respawn when it is due (at once on `retry`), and a spawn the OS refuses kept in the backoff.
import type { FailureReason } from "./records.ts";
import type { Clock } from "./clock.ts";
import type { Slot } from "./slot.ts";
import type { WorkerProcess } from "./worker-process.ts";

export interface RestartHost {
  clock: Clock;
  /** The slot still wants a process: the master is not stopping and a reload has not taken the slot away. */
  holds(slot: Slot): boolean;
  /** Fills the slot (through the process table); throws when the OS refuses the spawn. deferLaunch: see prespawnLeadMs. */
  spawn(slot: Slot, deferLaunch: boolean): WorkerProcess;
  /**
   * How long before a restart is due its process is spawned (0: at the due time). It boots and loads its modules in
   * the slot, "starting", while the backoff runs out, and gets its launch config when it is due.
   */
  prespawnLeadMs: number;
  /** Reports a refused spawn, with when the slot tries again, and returns why. */
  refused(err: unknown, slot: Slot, retryInMs: number): FailureReason;
  /** Like any start, a respawn must get ready in time: one that never does is killed and retried, not left holding the slot. */
  watchStart(proc: WorkerProcess, slot: Slot): void;
}

export class SlotRestarts {
  constructor(private readonly host: RestartHost) {}

  /** Schedules the slot's next try after its backoff step; returns the delay. */
  schedule(slot: Slot, uptimeMs: number): number {
    const { clock } = this.host;
    // A prespawned process's launch timer, if that process exited before its launch.
    clock.clearTimeout(slot.restartTimer);
    const delayMs = slot.backoff.next(uptimeMs);
    slot.restarts++;
    slot.nextRetryAt = clock.now() + delayMs;
    const lead = Math.min(delayMs, this.host.prespawnLeadMs);
    slot.restartTimer = clock.setTimeout(() => (lead > 0 ? this.prespawn(slot, lead) : this.respawn(slot)), delayMs - lead);
    return delayMs;
  }

  /** The slot's next process, spawned `lead` ms before its restart is due and launched then (if it still fills the slot). */
  prespawn(slot: Slot, lead: number): void {
    const proc = this.respawn(slot, true);
    if (!proc) return;
    const { clock } = this.host;
    slot.nextRetryAt = clock.now() + lead;
    const timer = clock.setTimeout(() => {
      // The process may have exited meanwhile and the slot's next restart been scheduled: that timer is not this one's.
      if (slot.restartTimer !== timer) return;
      slot.restartTimer = undefined;
      slot.nextRetryAt = undefined;
      if (slot.current === proc) proc.launch?.();
    }, lead);
    slot.restartTimer = timer;
  }

  /** The operator's retry: now, with the crash count forgotten. */
  retryNow(slot: Slot): void {
    this.host.clock.clearTimeout(slot.restartTimer);
    slot.backoff.reset();
    this.respawn(slot);
  }

  /** Fills the slot now (deferLaunch: its launch comes later); the process, or null when none was spawned. */
  respawn(slot: Slot, deferLaunch = false): WorkerProcess | null {
    slot.restartTimer = undefined;
    slot.nextRetryAt = undefined;
    if (slot.current || !this.host.holds(slot)) return null;
    try {
      const proc = this.host.spawn(slot, deferLaunch);
      this.host.watchStart(proc, slot);
      return proc;
    } catch (err) {
      // The cause (descriptors, memory) may pass: the slot keeps its place in the backoff and tries again.
      const retryInMs = this.schedule(slot, 0);
      slot.lastExit = { code: null, signal: null, at: this.host.clock.now(), reason: this.host.refused(err, slot, retryInMs) };
      return null;
    }
  }
}

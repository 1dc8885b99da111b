// A crashed slot's way back: the next backoff step, a respawn when it is due (at once on `retry`), and a spawn the OS refuses kept in the backoff.
import type { FailureReason } from "./records.ts";
import type { Clock } from "./clock.ts";
import type { Slot } from "./slot.ts";
import type { WorkerProcess } from "./worker-process.ts";

export interface RestartHost {
  clock: Clock;
  /** The slot still wants a process: the master is not stopping and a reload has not taken the slot away. */
  holds(slot: Slot): boolean;
  /** Fills the slot (through the process table); throws when the OS refuses the spawn. */
  spawn(slot: Slot): WorkerProcess;
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
    const delayMs = slot.backoff.next(uptimeMs);
    slot.restarts++;
    slot.nextRetryAt = clock.now() + delayMs;
    slot.restartTimer = clock.setTimeout(() => this.respawn(slot), delayMs);
    return delayMs;
  }

  /** The operator's retry: now, with the crash count forgotten. */
  retryNow(slot: Slot): void {
    this.host.clock.clearTimeout(slot.restartTimer);
    slot.backoff.reset();
    this.respawn(slot);
  }

  respawn(slot: Slot): void {
    slot.restartTimer = undefined;
    slot.nextRetryAt = undefined;
    if (slot.current || !this.host.holds(slot)) return;
    try {
      this.host.watchStart(this.host.spawn(slot), slot);
    } catch (err) {
      // The cause (descriptors, memory) may pass: the slot keeps its place in the backoff and tries again.
      const retryInMs = this.schedule(slot, 0);
      slot.lastExit = { code: null, signal: null, at: this.host.clock.now(), reason: this.host.refused(err, slot, retryInMs) };
    }
  }
}

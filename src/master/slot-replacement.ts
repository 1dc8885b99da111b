// One slot's process replaced without a gap (maxMemoryMB, restart of one process): the successor passes the gate before the old one drains.
import type { WorkerGroupConfig } from "../config/types.ts";
import type { Clock } from "./clock.ts";
import type { SupervisorEvent } from "./events.ts";
import { gateProcess, type GateOptions } from "./health-gate.ts";
import type { FailureReason } from "./records.ts";
import type { ReplacementOutcome } from "./supervisor-interface.ts";
import type { Slot } from "./slot.ts";
import type { ExitInfo, WorkerProcess } from "./worker-process.ts";

export interface ReplacementHost {
  clock: Clock;
  emit: (event: SupervisorEvent) => void;
  nextGeneration: () => number;
  /** A successor gated to take `slot`; throws when the OS refuses the process (the host has reported it by then). */
  spawn: (slot: Slot, generation: number) => WorkerProcess;
  /** The successor takes the slot; returns the process it replaced. */
  serve: (slot: Slot, proc: WorkerProcess) => WorkerProcess | null;
  stop: (proc: WorkerProcess, why: "stop" | "reload") => Promise<ExitInfo>;
  gateOptions: (group: WorkerGroupConfig) => GateOptions;
  /**
   * false once the master stops, or the slot left the group (a reload or count change took it), or `next` is no longer
   * gated for it (a slot that left stopped it, even if a probation rollback gave the slot back since).
   */
  stillHolds: (slot: Slot, next: WorkerProcess) => boolean;
  /** true once the master stops or the slot left its group. */
  slotLeft: (slot: Slot) => boolean;
}

export async function replaceOne(host: ReplacementHost, slot: Slot): Promise<ReplacementOutcome> {
  slot.replacing = true;
  const generation = host.nextGeneration();
  let next: WorkerProcess;
  try {
    next = host.spawn(slot, generation);
  } catch (err) {
    slot.replacing = false;
    return { replaced: false, why: "spawn", message: `its successor could not be spawned: ${(err as Error).message}` };
  }
  const reason = await gateProcess(next, host.gateOptions(slot.group));
  slot.replacing = false;
  /** Every gate failure is told as one: an event for the log, and the outcome for the caller. */
  const failedGate = (reason: FailureReason): ReplacementOutcome => {
    host.emit({ type: "reload-failed", pid: next.pid, group: slot.group.name, index: slot.index, generation, message: reason.text, reason });
    return { replaced: false, why: "gate", message: `its successor (pid ${next.pid}) failed the health gate: ${reason.text}`, reason };
  };
  // A reload or a probation rollback that took the slot has stopped the successor already.
  if (!host.stillHolds(slot, next)) {
    void host.stop(next, "stop");
    // A successor that exited on its own has left the table too: that is its gate's failure, not another action's.
    if (reason && !host.slotLeft(slot)) return failedGate(reason);
    return { replaced: false, why: "superseded", message: "a reload, a rollback or the master's stop took its slot meanwhile" };
  }
  if (reason) {
    void host.stop(next, "stop");
    return failedGate(reason);
  }
  host.clock.clearTimeout(slot.restartTimer);
  const old = host.serve(slot, next);
  slot.generation = generation;
  slot.backoff.reset();
  const drained = old ? host.stop(old, "reload").then(() => {}) : Promise.resolve();
  return { replaced: true, pid: next.pid, generation, oldPid: old?.pid ?? null, drained };
}

/** The memory-limit event when `proc`, serving `slot`, is past its group's maxMemoryMB; null when it is not (or has no limit). */
export function overMemory(slot: Slot, proc: WorkerProcess, rssBytes: number): SupervisorEvent | null {
  const limitMB = slot.group.maxMemoryMB;
  if (!limitMB) return null;
  const limitBytes = limitMB * 1024 * 1024;
  if (rssBytes <= limitBytes) return null;
  return { type: "memory-limit", pid: proc.pid, group: proc.group, index: proc.index, rssBytes, limitBytes };
}

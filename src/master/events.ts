// What the supervisor reports as it works: the event log, the SSE feed and the console all read these.
import type { FailureReason, LastExit, ReloadState } from "./records.ts";
import type { IpcDroppedEvent } from "./ipc-drops.ts";
import type { ClusterEvent } from "../cluster/cluster-records.ts";

export type SupervisorEvent =
  | { type: "process-started"; pid: number; group: string; index: number; generation: number }
  | { type: "process-ready"; pid: number; group: string; index: number; generation: number }
  | {
      type: "process-exited";
      pid: number;
      group: string;
      index: number;
      generation: number;
      code: number | null;
      signal: string | null;
      /** false: a crash (the supervisor restarts it after `restartInMs`). */
      expected: boolean;
      restartInMs?: number;
      stderrTail: string[];
      /** A crash: why, as data (load error with position, or code/signal and stderr). */
      reason?: FailureReason;
    }
  | { type: "handler-error"; pid: number; group: string; callback: string; message: string; stack?: string }
  | { type: "reload-begun"; generation: number; groups: string[]; graceful: boolean }
  /** Every new process of `group` is ready; the old generation drains only if they stay up until `until`. */
  | { type: "reload-settling"; generation: number; group: string; until: number; healthySeconds: number }
  | { type: "reload-finished"; generation: number; replaced: number; failed: number; state: ReloadState; rolledBack: string[] }
  /** The group was replaced; its old processes are parked until `until`, in case a new one exits. */
  | { type: "reload-probation"; generation: number; group: string; until: number; parked: number }
  /** The probation ended: passed (the parked processes stop), rolled-back (they serve again, `reason`), or ended early. */
  | {
      type: "reload-probation-ended";
      generation: number;
      group: string;
      outcome: "passed" | "rolled-back" | "ended";
      /** outcome "ended": what ended it (another reload, the master stopping). */
      endedBy?: string;
      lost: number;
      reason?: FailureReason;
    }
  /** A group's new generation failed the gate and was stopped; its old processes kept serving. */
  | { type: "reload-failed"; pid: number; group: string; index: number; generation: number; message: string; reason: FailureReason }
  /** The operator asked a slot in backoff to start now (`retry`). */
  | { type: "retry"; group: string; slots: number; lastExit?: LastExit }
  /** A serving process sent nothing for `silentMs` (past its group's watchdogSeconds): killed and restarted as a crash. */
  | { type: "process-unresponsive"; pid: number; group: string; index: number; generation: number; silentMs: number; watchdogSeconds: number }
  /** The OS refused to start a process (EMFILE, E2BIG, ...): `retryInMs` when its slot tries again. */
  | { type: "spawn-failed"; group: string; index: number; generation: number; message: string; reason: FailureReason; retryInMs?: number }
  | { type: "memory-limit"; pid: number; group: string; index: number; rssBytes: number; limitBytes: number }
  /** IPC messages dropped past a queue's byte cap (once a minute per process and direction at most). */
  | IpcDroppedEvent
  /** The Redis link lost or back, a refused cluster command (src/cluster/). */
  | ClusterEvent
  /** Stands for `count` events of one kind that were counted but not kept (see boundedKind). */
  | { type: "events-suppressed"; event: string; group?: string; like: string; count: number; kinds: number; seconds: number };

export type EventListener = (event: SupervisorEvent) => void;

/**
 * The kind under which an event is rate-bounded, or null when nothing a stranger sends can repeat it fast: process
 * lifecycle follows backoff and operator actions, but a handler can throw on every request.
 */
export function boundedKind(event: SupervisorEvent): string | null {
  if (event.type === "handler-error") return `${event.group}\0${event.callback}\0${event.message}`;
  // Anyone who can write to Redis can send unsigned commands as fast as it answers.
  if (event.type === "cluster-command-refused") return `cluster\0${event.reason}`;
  return null;
}

// What the supervisor reports as it works: the event log, the SSE feed and the console all read these.
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
    }
  | { type: "handler-error"; pid: number; group: string; callback: string; message: string; stack?: string }
  | { type: "reload-begun"; generation: number; groups: string[]; graceful: boolean }
  | { type: "reload-finished"; generation: number; replaced: number; failed: number }
  | { type: "reload-failed"; pid: number; group: string; index: number; generation: number; message: string }
  | { type: "memory-limit"; pid: number; group: string; index: number; rssBytes: number; limitBytes: number }
  /** Stands for `count` events of one kind that were counted but not kept (see boundedKind). */
  | { type: "events-suppressed"; event: string; group?: string; like: string; count: number; kinds: number; seconds: number };

export type EventListener = (event: SupervisorEvent) => void;

/**
 * The kind under which an event is rate-bounded, or null when nothing a stranger sends can repeat it fast: process
 * lifecycle follows backoff and operator actions, but a handler can throw on every request.
 */
export function boundedKind(event: SupervisorEvent): string | null {
  if (event.type === "handler-error") return `${event.group}\0${event.callback}\0${event.message}`;
  return null;
}

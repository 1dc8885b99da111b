// The supervisor's own records: reloads and their groups, why a process failed, a slot's last exit, probation.

export interface LastExit {
  code: number | null;
  signal: string | null;
  at: number;
  reason: FailureReason;
}

/** Where a load error points into the user's files. */
export interface SourceAt {
  /** `file:line:column`, the file relative to app.json's folder when it is inside it. */
  at?: string;
  file?: string;
  line?: number;
  column?: number;
  /** The source line the position points at. */
  lineText?: string;
}

/** One error of a handler that failed to load: its message, and where when it points into the user's files. */
export interface LoadErrorReason extends SourceAt {
  message: string;
}

/**
 * Why a new process (and so its group's reload, or the start) failed. Data, not a log line: the CLI, /api/status,
 * the event log, /api/events and the dashboard all show the same object.
 */
export interface FailureReason extends SourceAt {
  /** spawn: the OS refused to start the process (EMFILE, E2BIG, ...); `errno` says which. */
  kind: "load-error" | "exit" | "health-check" | "start-timeout" | "interrupted" | "spawn";
  /** The one line to show: `h.ts:3:41 Expected ")" but found "}"`, or `exited with code 1: <last stderr line>`. */
  text: string;
  /** The message alone, without the position (load errors: where it points is in SourceAt's fields). */
  message: string;
  /**
   * Load errors Bun reported together (a syntax error is often several; at most 10), the first being the one above;
   * absent for a single error. `text` ends with `(+N more)`.
   */
  errors?: LoadErrorReason[];
  /** Exits: code or signal, and the last stderr lines. */
  code?: number | null;
  signal?: string | null;
  stderrTail?: string[];
  /** spawn: the error code, e.g. "EMFILE". */
  errno?: string;
  /** The new process that failed. */
  pid?: number;
  index?: number;
}

export type ReloadState = "running" | "done" | "rolled-back" | "failed";

/** One group's part of a reload: its new generation comes up, settles, then replaces the old one or is rolled back. */
export interface ReloadGroup {
  name: string;
  change: "added" | "removed" | "changed" | "unchanged";
  /** The settings that changed (config keys of the group), for change "changed". */
  keys: string[];
  /** "probation": replaced, with the old processes parked until `probation.until` in case a new one exits. */
  phase: "starting" | "settling" | "probation" | "replaced" | "rolled-back" | "removed";
  /** New processes that took over (0 when rolled back). */
  replaced: number;
  /** Processes of the new generation. */
  count: number;
  /** phase "settling": the settle window ends at this time (unix ms). */
  settleUntil?: number;
  /** phase "replaced": the old generation drains (its http listener takes new connections for drainWindowMs) and is killed if still there at this time (unix ms). */
  drainUntil?: number;
  reason?: FailureReason;
  /** Present once the group went on probation (reload.probationSeconds > 0); kept with its outcome afterwards. */
  probation?: ProbationInfo;
}

/** After a reload replaced a group, its old processes stay parked (listeners closed, code loaded) for a while. */
export interface ProbationInfo {
  /** When it ends if no new process exits first (unix ms). */
  until: number;
  /** Old processes parked for it. */
  parked: number;
  /** Parked processes that exited meanwhile (their slots can no longer roll back to the old code). */
  lost: number;
  /** passed: the parked processes were stopped; rolled-back: a new process exited and they serve again; ended: a new reload or a stop came first. */
  outcome?: "passed" | "rolled-back" | "ended";
  endedAt?: number;
  /** outcome "ended": what ended it. */
  endedBy?: string;
}

/** POST /api/reload answers with this (202); GET /api/reloads/:id returns it as it progresses. */
export interface ReloadRecord {
  id: number;
  generation: number;
  state: ReloadState;
  graceful: boolean;
  startedAt: number;
  finishedAt?: number;
  groups: ReloadGroup[];
  /** Top-level config keys that changed but only apply after `restart` (e.g. admin.listen, dataDir). */
  needsRestart: string[];
  /** state "failed": why the reload could not run to its end (the master began stopping). */
  error?: string;
}

// Turns what a failed worker left behind (its fatal report, exit code, stderr) into the FailureReason everyone shows.
import { isAbsolute, relative } from "node:path";
import type { FailureReason, LoadErrorReason } from "./records.ts";
import type { SourcePosition } from "../ipc.ts";
import { AppError } from "../errors.ts";
import type { SupervisorEvent } from "./events.ts";
import type { ExitInfo, WorkerProcess } from "./worker-process.ts";

const REASON_STDERR_LINES = 10;

/** `file` relative to the app's folder when it is inside it (as the operator wrote it in app.json). */
function shortPath(file: string, baseDir: string): string {
  const rel = relative(baseDir, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

/** One load error as the reason shows it: the message, and `file:line:column` with the source line when it has a position. */
function loadError(message: string, position: SourcePosition | undefined, baseDir: string): LoadErrorReason {
  if (!position) return { message };
  const { file, line, column, lineText } = position;
  return { message, at: `${shortPath(file, baseDir)}:${line}:${column}`, file, line, column, lineText };
}

/** A process that exited: a load error with its position when the worker reported one, else its code or signal. */
export function exitReason(proc: WorkerProcess, exit: ExitInfo, baseDir: string, readyAt?: number, now = Date.now()): FailureReason {
  const base = { pid: proc.pid, index: proc.index, code: exit.code, signal: exit.signal, stderrTail: proc.stderrTail.slice(-REASON_STDERR_LINES) };
  const fatal = proc.fatal;
  if (fatal && readyAt === undefined) {
    const first = loadError(fatal.detail ?? fatal.message, fatal.position, baseDir);
    // Several errors (one syntax error often is): the first on the line, the count after it, each one in `errors`.
    const more = fatal.errors && fatal.errors.length > 1 ? fatal.errors.map((one) => loadError(one.message, one.position, baseDir)) : undefined;
    const text = `${first.at ? `${first.at} ` : ""}${first.message}${more ? ` (+${more.length - 1} more)` : ""}`;
    return { ...base, kind: "load-error", text, ...first, ...(more ? { errors: more } : {}) };
  }
  const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const when = readyAt === undefined ? " before it was ready" : ` ${((now - readyAt) / 1000).toFixed(1)} s after it was ready`;
  const lastLine = [...base.stderrTail].reverse().find((line) => line.trim() !== "");
  const message = `${how}${when}`;
  return { ...base, kind: "exit", text: lastLine ? `${message}: ${lastLine.trim()}` : message, message };
}

export function timeoutReason(proc: WorkerProcess, startTimeoutMs: number): FailureReason {
  const message = `not ready within ${startTimeoutMs / 1000} s (reload.startTimeout)`;
  return { kind: "start-timeout", text: message, message, pid: proc.pid, index: proc.index };
}

export function healthReason(proc: WorkerProcess, error: string | undefined): FailureReason {
  const message = error ?? "onHealthCheck did not return true";
  return { kind: "health-check", text: message, message, pid: proc.pid, index: proc.index };
}

export function interruptedReason(why: string): FailureReason {
  return { kind: "interrupted", text: why, message: why };
}

/** The reason as a console block: the line, then the source line with a caret under the column. */
export function reasonBlock(reason: FailureReason): string {
  const lines = [reason.text];
  if (reason.errors) {
    for (const [i, one] of reason.errors.entries()) lines.push(...(i === 0 ? [] : [`  ${one.at ? `${one.at} ` : ""}${one.message}`]), ...sourceLines(one));
  } else if (reason.lineText !== undefined && reason.column !== undefined) {
    lines.push(...sourceLines(reason));
  } else if (reason.kind === "exit" && reason.stderrTail?.length) {
    lines.push(...reason.stderrTail.slice(-5).map((line) => `    | ${line}`));
  }
  return lines.join("\n");
}

/** The source line with a caret under the column, indented under the error's line. */
function sourceLines(at: LoadErrorReason): string[] {
  if (at.lineText === undefined || at.column === undefined) return [];
  return [`    ${at.lineText}`, `    ${" ".repeat(Math.max(0, at.column - 1))}^`];
}

/** The lines under a reload's `web: rolled back: ...` line: each further error of the load, where it is. */
export function moreErrorLines(reason: FailureReason | undefined): string[] {
  return (reason?.errors ?? []).slice(1).map((one) => `  ${one.at ? `${one.at} ` : ""}${one.message}`);
}

/** The first start failed: a group's process could not become ready. */
export class StartFailure extends AppError {
  constructor(
    readonly group: string,
    readonly reason: FailureReason,
  ) {
    super("E_START", `group "${group}" cannot start: ${reasonBlock(reason)}`);
  }
}

/** The "process-exited" event for `proc`: the crash's reason only when it was not asked to stop. */
export function exitedEvent(proc: WorkerProcess, exit: ExitInfo, expected: boolean, restartInMs: number | undefined, reason?: FailureReason): SupervisorEvent {
  const { pid, group, index, generation } = proc;
  const stderrTail = [...proc.stderrTail];
  return {
    type: "process-exited",
    pid,
    group,
    index,
    generation,
    code: exit.code,
    signal: exit.signal,
    expected,
    restartInMs,
    stderrTail,
    ...(reason ? { reason } : {}),
  };
}

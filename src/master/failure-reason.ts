// Turns what a failed worker left behind (its fatal report, exit code, stderr) into the FailureReason everyone shows.
import { isAbsolute, relative } from "node:path";
import type { FailureReason } from "../admin/contract.ts";
import { AppError } from "../errors.ts";
import type { SupervisorEvent } from "./events.ts";
import type { ExitInfo, WorkerProcess } from "./worker-process.ts";

const REASON_STDERR_LINES = 10;

/** `file` relative to the app's folder when it is inside it (as the operator wrote it in app.json). */
function shortPath(file: string, baseDir: string): string {
  const rel = relative(baseDir, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

/** A process that exited: a load error with its position when the worker reported one, else its code or signal. */
export function exitReason(proc: WorkerProcess, exit: ExitInfo, baseDir: string, readyAt?: number, now = Date.now()): FailureReason {
  const base = { pid: proc.pid, index: proc.index, code: exit.code, signal: exit.signal, stderrTail: proc.stderrTail.slice(-REASON_STDERR_LINES) };
  const fatal = proc.fatal;
  if (fatal && readyAt === undefined) {
    const message = fatal.detail ?? fatal.message;
    const position = fatal.position;
    if (!position) return { ...base, kind: "load-error", text: message, message };
    const at = `${shortPath(position.file, baseDir)}:${position.line}:${position.column}`;
    return {
      ...base,
      kind: "load-error",
      text: `${at} ${message}`,
      message,
      at,
      file: position.file,
      line: position.line,
      column: position.column,
      lineText: position.lineText,
    };
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
  if (reason.lineText !== undefined && reason.column !== undefined) {
    lines.push(`    ${reason.lineText}`, `    ${" ".repeat(Math.max(0, reason.column - 1))}^`);
  } else if (reason.kind === "exit" && reason.stderrTail?.length) {
    lines.push(...reason.stderrTail.slice(-5).map((line) => `    | ${line}`));
  }
  return lines.join("\n");
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

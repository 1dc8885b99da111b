// Where the master's lines go in log.format: the daemon log or the terminal, as text or one JSON object per line.
import { eventLine, logEvent } from "./console-log.ts";
import type { SupervisorEvent } from "./events.ts";
import { jsonFromEvent, jsonFromPrefixed, type LogLevel } from "./json-log.ts";
import type { LogFile } from "./log-file.ts";
import type { RecentLog } from "./recent-log.ts";
import { terminalOutput, type Stream } from "./terminal-output.ts";

/** console.log's own formatting; node:util loads on the first line, not on the master's start path. */
const format = (...args: unknown[]): string => process.getBuiltinModule("node:util").format(...args);

export interface MasterOutput {
  /** A worker's line (`[web#0 123] text`), after the recent log kept it. */
  worker: (line: string, stream: Stream) => void;
  /** A supervisor event: the lines worth one (process-exited, reload-*, handler-error, ...) are written. */
  event: (event: SupervisorEvent) => void;
}

/**
 * Made before the recent log takes the console (RecentLog.captureConsole wraps whatever console.* is then): in json
 * mode the foreground master's own console.* becomes JSON lines first. The daemon's console already goes to its file.
 */
export function masterOutput(logFormat: "text" | "json", daemon: LogFile | null, recent: RecentLog): MasterOutput {
  if (logFormat === "text") return { worker: daemon ? (line) => daemon.write(line) : terminalOutput(), event: logEvent };
  const terminal = daemon ? undefined : terminalOutput(undefined, undefined, "json");
  if (terminal) jsonConsole(terminal.rendered);
  const worker = daemon ? (line: string, stream: Stream) => daemon.write(line, stream === "stderr" ? "error" : "info") : terminal!;
  const event = (event: SupervisorEvent) => {
    const line = eventLine(event);
    if (!line) return;
    // GET /api/logs keeps the sentence, as in text mode, where it comes through the console.
    for (const text of line.text.split("\n")) recent.push(`[master ${process.pid}] ${text}`);
    if (daemon) daemon.writeEvent(event, line);
    else terminal!.rendered(jsonFromEvent(event, line.level, line.text), streamOf(line.level));
  };
  return { worker, event };
}

const streamOf = (level: LogLevel): Stream => (level === "info" ? "stdout" : "stderr");

/** The foreground master's console.* as JSON lines, one per call (a stack or the start table stays one record). */
function jsonConsole(write: (text: string, stream: Stream) => void): void {
  const writer =
    (level: LogLevel) =>
    (...args: unknown[]) =>
      write(jsonFromPrefixed(`[master ${process.pid}] ${format(...args)}`, level), streamOf(level));
  console.log = writer("info");
  console.info = writer("info");
  console.warn = writer("warn");
  console.error = writer("error");
}

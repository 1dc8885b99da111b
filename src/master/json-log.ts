// log.format "json": each line of the daemon log and the foreground output as one JSON object, for Loki, Vector or journald.
import type { SupervisorEvent } from "./events.ts";
import { parsePrefixed } from "./log-lines.ts";

export type LogLevel = "info" | "warn" | "error";

/** Who wrote a line: the master (its own messages), a worker (its output), the supervisor (an event about a process). */
export type LogSource = "master" | "worker" | "supervisor";

/** The fixed fields, in this order, then a supervisor event's own fields. */
export interface JsonLogRecord {
  time: string;
  level: LogLevel;
  source: LogSource;
  pid: number;
  group?: string;
  index?: number;
  msg: string;
  /** Supervisor lines: the event's type (process-exited, reload-finished, ...). */
  event?: string;
  [field: string]: unknown;
}

/**
 * JSON.stringify escapes C0 controls but not DEL, C1 (0x9B is a one-byte CSI on some terminals) or the line
 * separators some readers split on: escaped here too, so a line stays one line and inert on a terminal.
 */
const UNESCAPED = /[\x7f-\x9f\u2028\u2029]/g;

export function jsonLine(record: JsonLogRecord): string {
  return JSON.stringify(record).replace(UNESCAPED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A prefixed line (`[web#0 123] text`, `[master 99] text`); a line without a prefix counts as the master's. */
export function jsonFromPrefixed(line: string, level: LogLevel, at = Date.now()): string {
  const time = new Date(at).toISOString();
  const parsed = parsePrefixed(line, at);
  if (!parsed) return jsonLine({ time, level, source: "master", pid: process.pid, msg: line });
  if (parsed.source === "master") return jsonLine({ time, level, source: "master", pid: parsed.pid, msg: parsed.text });
  return jsonLine({ time, level, source: "worker", pid: parsed.pid, group: parsed.group, index: parsed.index, msg: parsed.text });
}

/** A supervisor event: its console sentence as msg, its type as event, and every field it carries beside them. */
export function jsonFromEvent(event: SupervisorEvent, level: LogLevel, text: string, at = Date.now()): string {
  const { type, ...fields } = event;
  const { pid, group, index } = fields as { pid?: number; group?: string; index?: number };
  const record: JsonLogRecord = {
    time: new Date(at).toISOString(),
    level,
    source: "supervisor",
    pid: pid ?? process.pid,
    group,
    index,
    msg: text,
    event: type,
  };
  // The fixed fields win: an event field of the same name would make the line ambiguous to an indexer.
  for (const [key, value] of Object.entries(fields)) if (!(key in record)) record[key] = value;
  return jsonLine(record);
}

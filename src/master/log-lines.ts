// The master's log line format (`<ISO time> [group#index pid] text`, `[master pid] text`): parsing, filtering, printing.
import { inertText } from "./inert-text.ts";

export interface LogLine {
  /** Unix ms. */
  at: number;
  source: "master" | "worker";
  pid: number;
  group?: string;
  index?: number;
  text: string;
}

export interface LogFilter {
  /** A worker group; "master" selects the master's own lines. */
  group?: string;
  pid?: number;
}

const PREFIX = /^\[(?:master (\d+)|(.+)#(\d+) (\d+))\] ?(.*)$/s;
const TIME = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/s;

/** A prefixed line as the supervisor or the master's console writes it (no time); null for anything else. */
export function parsePrefixed(line: string, at: number): LogLine | null {
  const m = PREFIX.exec(line);
  if (!m) return null;
  if (m[1]) return { at, source: "master", pid: Number(m[1]), text: m[5]! };
  return { at, source: "worker", group: m[2]!, index: Number(m[3]), pid: Number(m[4]), text: m[5]! };
}

/**
 * A line of <dataDir>/workerman.log, text or (log.format "json") a JSON record; lines without a prefix (a crash
 * before the log took over) count as the master's.
 */
export function parseFileLine(line: string): LogLine {
  if (line.startsWith('{"time":')) {
    const json = fromJsonRecord(line);
    if (json) return json;
  }
  const t = TIME.exec(line);
  const at = t ? Date.parse(t[1]!) : 0;
  const rest = t ? t[2]! : line;
  return parsePrefixed(rest, at) ?? { at, source: "master", pid: 0, text: rest };
}

export function matchesFilter(line: LogLine, filter: LogFilter): boolean {
  if (filter.pid !== undefined && line.pid !== filter.pid) return false;
  if (filter.group === undefined) return true;
  return filter.group === "master" ? line.source === "master" : line.group === filter.group;
}

export function formatLogLine(line: LogLine): string {
  const who = line.source === "master" ? `[master ${line.pid}]` : `[${line.group}#${line.index} ${line.pid}]`;
  return `${line.at ? new Date(line.at).toISOString() : "-"} ${who} ${inertText(line.text)}`;
}

/** A JSON record (json-log.ts) as a LogLine: a worker's output stays the worker's; the master's and supervisor events are the master's. */
function fromJsonRecord(line: string): LogLine | null {
  try {
    const r = JSON.parse(line) as { time: string; source: string; pid: number; group?: string; index?: number; msg: string };
    const at = Date.parse(r.time) || 0;
    if (r.source === "worker") return { at, source: "worker", pid: r.pid, group: r.group, index: r.index, text: r.msg };
    return { at, source: "master", pid: r.pid, text: r.msg };
  } catch {
    return null;
  }
}

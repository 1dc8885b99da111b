// `workerman-app logs [--group G] [--pid P] [-n N] [-f] [--json]`: the daemon log filtered, or a foreground master's recent lines.
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { adminRequest } from "../admin/client.ts";
import { loadControlConfig } from "../admin/control-config.ts";
import type { LogItem, LogsResponse } from "../admin/contract.ts";
import type { CliArgs } from "../cli-args.ts";
import { AppError, isAppError } from "../errors.ts";
import { logFilePath } from "../master/daemon.ts";
import { formatLogLine, matchesFilter, parseFileLine, type LogFilter, type LogLine } from "../master/log-lines.ts";

const DEFAULT_LINES = 50;
const FOLLOW_POLL_MS = 200;

export async function logsCommand(args: CliArgs): Promise<number> {
  const config = await loadControlConfig(args.config);
  const filter: LogFilter = { group: args.group, pid: args.pid ?? args.process };
  const print = (line: LogLine) => console.log(args.json ? JSON.stringify(line) : formatLogLine(line));
  const path = logFilePath(config.dataDir);
  if (!existsSync(path)) return followApi(args, path, filter, print);
  let offset = 0;
  const lines: LogLine[] = [];
  offset = readFrom(path, 0, (line) => matchesFilter(line, filter) && lines.push(line));
  for (const line of lines.slice(-(args.lines ?? DEFAULT_LINES))) print(line);
  if (!args.follow) return 0;
  let inode = statSync(path).ino;
  for (;;) {
    await Bun.sleep(FOLLOW_POLL_MS);
    const now = existsSync(path) ? statSync(path) : null;
    if (!now) continue;
    // Rotated (renamed to .1 and begun again) or truncated: read the new file from its start.
    if (now.ino !== inode || now.size < offset) {
      inode = now.ino;
      offset = 0;
    }
    if (now.size > offset) offset = readFrom(path, offset, (line) => matchesFilter(line, filter) && print(line));
  }
}

/** Calls `each` for every complete line after `offset`; returns the offset after the last complete line. */
function readFrom(path: string, offset: number, each: (line: LogLine) => unknown): number {
  const fd = openSync(path, "r");
  try {
    const size = statSync(path).size;
    const buffer = Buffer.alloc(size - offset);
    const read = readSync(fd, buffer, 0, buffer.length, offset);
    const text = buffer.subarray(0, read).toString("utf8");
    const end = text.lastIndexOf("\n");
    if (end === -1) return offset;
    for (const line of text.slice(0, end).split("\n")) if (line) each(parseFileLine(line));
    return offset + Buffer.byteLength(text.slice(0, end + 1));
  } finally {
    closeSync(fd);
  }
}

/** No log file: the master runs in the foreground (its output goes to its terminal); ask it for its recent lines. */
async function followApi(args: CliArgs, path: string, filter: LogFilter, print: (line: LogLine) => void): Promise<number> {
  const query = new URLSearchParams({ n: String(args.lines ?? DEFAULT_LINES) });
  if (filter.group) query.set("group", filter.group);
  if (filter.pid) query.set("pid", String(filter.pid));
  const first = await adminRequest<LogsResponse>(args.config, `/api/logs?${query}`).catch((err: unknown) => {
    if (!isAppError(err) || err.code !== "E_NOT_RUNNING") throw err;
    throw new AppError("E_NOT_RUNNING", `no log yet: ${path} does not exist (start -d writes it) and no master runs for this config`);
  });
  for (const line of first.items) print(line);
  if (!args.follow) return 0;
  // Polling with the cursor: the same request each time, and nothing lost between two of them (the master keeps 2000 lines).
  let after = first.lastSeq;
  for (;;) {
    await Bun.sleep(FOLLOW_POLL_MS * 5);
    query.set("after", String(after));
    query.set("n", "2000");
    const next = await adminRequest<LogsResponse>(args.config, `/api/logs?${query}`);
    for (const line of next.items as LogItem[]) print(line);
    after = next.lastSeq;
  }
}

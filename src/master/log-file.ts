// The daemon's log: timestamped lines in <dataDir>/workerman.log (mode 0600), rotated by size (workerman.log.1 .. .N), at a bounded rate per source.
import { appendFileSync, chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { EventLine } from "./console-log.ts";
import type { SupervisorEvent } from "./events.ts";
import { inertText } from "./inert-text.ts";
import { jsonFromEvent, jsonFromPrefixed, type LogLevel } from "./json-log.ts";
import { timedBound, type RateBoundOptions } from "../store/rate-bound.ts";

/** console.log's own formatting; node:util (about 5 ms of CPU) loads on the first line, not on the master's start path. */
const format = (...args: unknown[]): string => process.getBuiltinModule("node:util").format(...args);

export interface LogFileOptions {
  path: string;
  maxBytes: number;
  keep: number;
  /** Lines kept per source group (or the master) per window; the rest become one summary line. */
  bound?: RateBoundOptions;
  /** log.format: "json" writes one JSON object per line instead of `<ISO time> [source pid] text`. */
  format?: "text" | "json";
}

/**
 * About 16 lines a second per group, 80 in all: plenty for a service's own messages, and a handler printing on
 * every request of a flood can no longer rotate the evidence out of the log within seconds.
 */
export const LOG_BOUND: RateBoundOptions = { windowMs: 60_000, perKind: 1000, total: 5000, maxKinds: 100, maxSummaries: 100 };

/** The group a prefixed line came from: "[web#0 123] ..." is web, "[master 99] ..." the master. */
function sourceOf(line: string): string {
  return /^\[([^\]#\s]+)/.exec(line)?.[1] ?? "other";
}

export class LogFile {
  #size: number;
  readonly #bound;

  constructor(private readonly options: LogFileOptions) {
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    this.#size = existsSync(options.path) ? statSync(options.path).size : 0;
    // It holds peer input and addresses. Ours to tighten (unlike dataDir): rotation makes new files 0600 anyway.
    try {
      if (existsSync(options.path) && (statSync(options.path).mode & 0o077) !== 0) chmodSync(options.path, 0o600);
    } catch {
      // not ours to change (another owner): it stays as the operator made it
    }
    this.#bound = timedBound<string>(options.bound ?? LOG_BOUND, (s) => {
      const from = s.key === "*" ? `${s.kinds} other sources` : s.key;
      this.#append(
        `[log] ${s.count.toLocaleString("en-US")} more lines from ${from} in the last ${s.windowMs / 1000} s were left out (at most ${(options.bound ?? LOG_BOUND).perKind} a window per source)`,
      );
    });
  }

  /** A prefixed line (`[web#0 123] text`, `[master 99] text`). */
  write(line: string, level: LogLevel = "info"): void {
    if (this.#bound.admit("log-lines", sourceOf(line), line)) this.#append(line, level);
  }

  /** A supervisor event worth a line: as the master's sentence, or (json) with the event's fields. */
  writeEvent(event: SupervisorEvent, { level, text }: EventLine): void {
    const line = `[master ${process.pid}] ${text}`;
    if (!this.#bound.admit("log-lines", "master", line)) return;
    this.options.format === "json" ? this.#put(jsonFromEvent(event, level, text)) : this.#append(line, level);
  }

  /** Writes what the current window held back as its summary line. */
  close(): void {
    this.#bound.stop();
  }

  #append(line: string, level: LogLevel = "info"): void {
    this.#put(this.options.format === "json" ? jsonFromPrefixed(line, level) : `${new Date().toISOString()} ${inertText(line)}`);
  }

  #put(record: string): void {
    const text = `${record}\n`;
    try {
      // Inside the try: a rotation on a read-only or full disk fails like the append, and costs only the line.
      if (this.#size + text.length > this.options.maxBytes && this.#size > 0) this.#rotate();
      appendFileSync(this.options.path, text, { mode: 0o600 });
      this.#size += Buffer.byteLength(text);
    } catch {
      // A full disk must not stop the master; the line is lost, serving goes on.
    }
  }

  #rotate(): void {
    const { path, keep } = this.options;
    rmSync(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    if (existsSync(path)) renameSync(path, `${path}.1`);
    this.#size = 0;
  }

  /** Sends everything the master prints (console.*) to this file, each line marked with the master's pid. */
  captureConsole(): void {
    const master = `[master ${process.pid}]`;
    const writer =
      (level: LogLevel) =>
      (...args: unknown[]) => {
        const text = format(...args);
        // A JSON record keeps a multi-line message (a stack, the start table) whole; text marks every line.
        if (this.options.format === "json") this.write(`${master} ${text}`, level);
        else for (const line of text.split("\n")) this.write(`${master} ${line}`, level);
      };
    console.log = writer("info");
    console.info = writer("info");
    console.warn = writer("warn");
    console.error = writer("error");
  }
}

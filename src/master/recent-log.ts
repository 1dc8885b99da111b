// The master's last log lines in memory (its console and its workers' output), for GET /api/logs in either mode.
import { inertText } from "./inert-text.ts";
import { parsePrefixed, type LogLine } from "./log-lines.ts";

/** console.log's own formatting; node:util (about 5 ms of CPU) loads on the first line, not on the master's start path. */
const format = (...args: unknown[]): string => process.getBuiltinModule("node:util").format(...args);

export interface RecentLine extends LogLine {
  /** Increases by one per line: a reader asks for what came after the last one it saw. */
  seq: number;
}

export type RecentListener = (line: RecentLine) => void;

/** A hostile handler can print without end: a line is cut here and only the newest lines are kept. */
const MAX_LINE_CHARS = 4096;
const DEFAULT_CAPACITY = 2000;

export class RecentLog {
  readonly #lines: RecentLine[] = [];
  readonly #listeners = new Set<RecentListener>();
  #seq = 0;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** Adds one prefixed line (`[group#index pid] text` or `[master pid] text`). */
  push(prefixed: string): void {
    const parsed = parsePrefixed(prefixed.length > MAX_LINE_CHARS ? prefixed.slice(0, MAX_LINE_CHARS) + "…" : prefixed, Date.now());
    if (!parsed) return;
    const line = { ...parsed, seq: ++this.#seq };
    this.#lines.push(line);
    if (this.#lines.length > this.capacity) this.#lines.splice(0, this.#lines.length - this.capacity);
    for (const listener of this.#listeners) {
      try {
        listener(line);
      } catch {
        // a reader that went away must not stop the log
      }
    }
  }

  /** Lines after `seq` that pass `keep`, the newest `limit` of them, oldest first. */
  query(keep: (line: RecentLine) => boolean, limit: number, afterSeq = 0): RecentLine[] {
    const out: RecentLine[] = [];
    for (let i = this.#lines.length - 1; i >= 0 && out.length < limit; i--) {
      const line = this.#lines[i]!;
      if (line.seq <= afterSeq) break;
      if (keep(line)) out.push(line);
    }
    return out.reverse();
  }

  get lastSeq(): number {
    return this.#seq;
  }

  subscribe(listener: RecentListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Passes each worker line on to `next` (the terminal or the log file) after keeping it. */
  tee<S>(next: (line: string, stream: S) => void): (line: string, stream: S) => void {
    return (line, stream) => {
      this.push(line);
      next(line, stream);
    };
  }

  /** Keeps what the master prints (console.*) too, still printing it where it went before. */
  captureConsole(): void {
    const prefix = `[master ${process.pid}] `;
    for (const method of ["log", "info", "warn", "error"] as const) {
      const original = console[method].bind(console);
      console[method] = (...args: unknown[]) => {
        const lines = format(...args).split("\n");
        for (const line of lines) this.push(prefix + line);
        // Printed as text (a handler's error may quote a client's bytes); the kept lines above stay exact for the JSON API.
        original(lines.map(inertText).join("\n"));
      };
    }
  }
}

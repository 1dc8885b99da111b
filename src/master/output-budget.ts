// How much one worker process may print into the master each second: past it its lines are counted, not passed on.

export interface OutputLimits {
  lines: number;
  /** Characters of line text (lines are already cut at MAX_WORKER_LINE_CHARS by the reader). */
  chars: number;
  windowMs: number;
}

/** A line longer than this is cut by the master's reader of worker output. */
export const MAX_WORKER_LINE_CHARS = 16 * 1024;

/** Far above a service's own messages; a handler printing on every request of a flood is held to it. */
export const OUTPUT_LIMITS: OutputLimits = { lines: 1000, chars: 1024 * 1024, windowMs: 1000 };

/**
 * One per worker process, over its stdout and stderr: lines past the window's budget are dropped and counted, and
 * one summary line says how many once the window ends (a timer only while a window has drops).
 */
export class OutputBudget {
  #windowStart = -Infinity;
  #lines = 0;
  #chars = 0;
  #droppedLines = 0;
  #droppedChars = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly report: (summary: string) => void,
    private readonly limits: OutputLimits = OUTPUT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  admit(line: string): boolean {
    const now = this.now();
    if (now - this.#windowStart >= this.limits.windowMs) {
      this.flush();
      this.#windowStart = now;
      this.#lines = 0;
      this.#chars = 0;
    }
    this.#lines++;
    this.#chars += line.length;
    if (this.#lines <= this.limits.lines && this.#chars <= this.limits.chars) return true;
    this.#droppedLines++;
    this.#droppedChars += line.length;
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), this.#windowStart + this.limits.windowMs - now);
      this.#timer.unref();
    }
    return false;
  }

  /** Reports what the window dropped (at its end, or when the process's output ends). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#droppedLines === 0) return;
    const { lines, chars, windowMs } = this.limits;
    this.report(
      `[log] ${this.#droppedLines.toLocaleString("en-US")} line${this.#droppedLines === 1 ? "" : "s"} (${this.#droppedChars.toLocaleString("en-US")} characters) of this process's output left out` +
        ` (at most ${lines.toLocaleString("en-US")} lines or ${Math.round(chars / 1024).toLocaleString("en-US")} KiB per ${windowMs / 1000} s per process)`,
    );
    this.#droppedLines = 0;
    this.#droppedChars = 0;
  }
}

// The daemon's log: timestamped lines in <dataDir>/workerman.log, rotated by size (workerman.log.1 .. .N).
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { format } from "node:util";

export interface LogFileOptions {
  path: string;
  maxBytes: number;
  keep: number;
}

export class LogFile {
  #size: number;

  constructor(private readonly options: LogFileOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.#size = existsSync(options.path) ? statSync(options.path).size : 0;
  }

  write(line: string): void {
    const text = `${new Date().toISOString()} ${line}\n`;
    try {
      // Inside the try: a rotation on a read-only or full disk fails like the append, and costs only the line.
      if (this.#size + text.length > this.options.maxBytes && this.#size > 0) this.#rotate();
      appendFileSync(this.options.path, text);
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
    const write = (...args: unknown[]) => {
      for (const line of format(...args).split("\n")) this.write(`${master} ${line}`);
    };
    console.log = write;
    console.info = write;
    console.warn = write;
    console.error = write;
  }
}

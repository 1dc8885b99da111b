// Starts every benchmark process in its own process group and guarantees each group is killed, even on Ctrl+C or a crash.
import type { Subprocess } from "bun";

const live = new Set<Subprocess>();
const cleanups = new Set<() => void>();

/** Kills the whole group of every process still running (servers take their workers with them), then runs the cleanups. */
function killAllNow(): void {
  for (const proc of live) killGroup(proc.pid, "SIGKILL");
  live.clear();
  for (const cleanup of cleanups) cleanup();
  cleanups.clear();
}

/** Runs `fn` (synchronous: it may run from an exit hook) at the latest when the benchmark exits; call the result to run it now. */
export function onCleanup(fn: () => void): () => void {
  const once = () => {
    if (cleanups.delete(once)) fn();
  };
  cleanups.add(once);
  return once;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

process.on("exit", killAllNow);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping every benchmark process`);
    killAllNow();
    process.exit(130);
  });
}

export interface SpawnOptions {
  env?: Record<string, string>;
  cwd?: string;
}

/** A running process group with its output kept line by line. */
export class Group {
  readonly lines: string[] = [];
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Resolves once stdout and stderr are read to their end. */
  readonly outputDone: Promise<unknown>;
  #waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  constructor(argv: string[], options: SpawnOptions = {}) {
    this.proc = Bun.spawn(argv, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    live.add(this.proc);
    void this.proc.exited.then(() => live.delete(this.proc));
    this.outputDone = Promise.all([this.#read(this.proc.stdout), this.#read(this.proc.stderr)]);
  }

  get pid(): number {
    return this.proc.pid;
  }

  get exitCode(): number | null {
    return this.proc.exitCode;
  }

  async #read(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    const reader = stream.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const parts = (rest + decoder.decode(read.value, { stream: true })).split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) this.#line(line);
    }
    if (rest) this.#line(rest);
  }

  #line(line: string): void {
    this.lines.push(line);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.test(line)) return true;
      w.resolve(line);
      return false;
    });
  }

  /** Resolves with the first line (already seen or coming) that passes `test`; rejects after `timeoutMs` or at exit. */
  waitForLine(test: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    const fail = (why: string) => reject(new Error(`${what}: ${why}; output:\n${this.lines.slice(-20).join("\n")}`));
    const timer = setTimeout(() => fail(`no such line after ${timeoutMs} ms`), timeoutMs);
    void this.proc.exited.then((code) => setTimeout(() => fail(`exited with code ${code}`), 50));
    this.#waiters.push({
      test,
      resolve: (line) => {
        clearTimeout(timer);
        resolve(line);
      },
    });
    return promise;
  }

  /** SIGTERM to the leader (it stops its own children), then SIGKILL to the whole group after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      try {
        process.kill(this.proc.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await Promise.race([this.proc.exited, Bun.sleep(graceMs)]);
    }
    killGroup(this.proc.pid, "SIGKILL");
    await this.proc.exited;
    live.delete(this.proc);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Runs a bounded command to its end and returns its output lines (stdout and stderr); killed if it outlives `timeoutMs`. */
export async function runToEnd(argv: string[], timeoutMs: number, options: SpawnOptions = {}): Promise<{ code: number; lines: string[] }> {
  await using group = new Group(argv, options);
  const timer = setTimeout(() => killGroup(group.pid, "SIGKILL"), timeoutMs);
  const code = await group.proc.exited;
  clearTimeout(timer);
  await group.outputDone;
  return { code, lines: group.lines };
}

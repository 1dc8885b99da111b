// Keeps `count` processes per group alive: starts them, restarts crashed ones with backoff, stops them all.
import type { AppConfig, WorkerGroupConfig } from "../config/types.ts";
import { AppError } from "../errors.ts";
import type { WorkerToMaster } from "../ipc.ts";
import { Backoff } from "./backoff.ts";
import { WorkerProcess, type ExitInfo } from "./worker-process.ts";

/** Exit code a worker uses when the config or handler file is wrong (see worker/main.ts). */
const EXIT_CONFIG = 78;

export type SupervisorEvent =
  | { type: "process-started"; pid: number; group: string; index: number; generation: number }
  | { type: "process-ready"; pid: number; group: string; index: number; generation: number }
  | { type: "process-exited"; pid: number; group: string; index: number; code: number | null; signal: string | null; expected: boolean; restartInMs?: number; stderrTail: string[] }
  | { type: "handler-error"; pid: number; group: string; callback: string; message: string; stack?: string };

/** One place in a group (index 0..count-1) and the process that currently fills it. */
interface Slot {
  group: WorkerGroupConfig;
  index: number;
  current: WorkerProcess | null;
  backoff: Backoff;
  restarts: number;
  restartTimer?: ReturnType<typeof setTimeout>;
}

export interface SupervisorOptions {
  config: AppConfig;
  /** Listening descriptors the master bound for unix:// groups, by group name. */
  listenFds: Map<string, number>;
  log: (line: string, stream: "stdout" | "stderr") => void;
  onEvent?: (event: SupervisorEvent) => void;
}

export class Supervisor {
  readonly slots: Slot[] = [];
  /** Every live process, including old generations still draining. */
  readonly processes = new Set<WorkerProcess>();
  generation = 1;
  stopping = false;

  constructor(private readonly options: SupervisorOptions) {
    for (const group of options.config.workers) {
      for (let index = 0; index < group.count; index++) this.slots.push({ group, index, current: null, backoff: new Backoff(), restarts: 0 });
    }
  }

  /** Starts every slot; resolves when all listen, or rejects at once if a handler or config is unusable. */
  async start(): Promise<void> {
    const started = this.slots.map((slot) => this.#spawn(slot, this.generation));
    await Promise.all(
      started.map((proc) =>
        proc.ready.catch(async (err) => {
          const exit = await proc.exited;
          if (exit.code === EXIT_CONFIG) throw new AppError("E_CONFIG", proc.fatal?.message.replace(/^E_CONFIG: /, "") ?? String(err));
          // Other start failures (a throwing handler, a busy port) are retried with backoff; the master stays up.
        }),
      ),
    );
  }

  stateOf(slot: Slot): string {
    if (!slot.current) return slot.backoff.crashLooping ? "crashloop" : "restarting";
    return slot.backoff.crashLooping && slot.current.state === "starting" ? "crashloop" : slot.current.state;
  }

  #spawn(slot: Slot, generation: number): WorkerProcess {
    const { config, listenFds, log, onEvent } = this.options;
    const proc = new WorkerProcess({
      launch: {
        appName: config.name,
        group: slot.group,
        index: slot.index,
        generation,
        stopTimeoutMs: config.stopTimeout * 1000,
        drainWindowMs: config.drainWindowMs,
      },
      listenFd: listenFds.get(slot.group.name),
      output: (line, stream, p) => log(`[${p.group}#${p.index} ${p.pid}] ${line}`, stream),
      onMessage: (message, p) => this.#onMessage(message, p),
    });
    slot.current = proc;
    this.processes.add(proc);
    const identity = { pid: proc.pid, group: proc.group, index: proc.index, generation };
    onEvent?.({ type: "process-started", ...identity });
    proc.ready.then(() => onEvent?.({ type: "process-ready", ...identity })).catch(() => {});
    proc.exited.then((exit) => this.#onExit(slot, proc, exit));
    return proc;
  }

  #onMessage(message: WorkerToMaster, proc: WorkerProcess): void {
    if (message.type === "handler-error") {
      this.options.onEvent?.({ type: "handler-error", pid: proc.pid, group: proc.group, callback: message.callback, message: message.message, stack: message.stack });
    }
  }

  #onExit(slot: Slot, proc: WorkerProcess, exit: ExitInfo): void {
    this.processes.delete(proc);
    const expected = this.stopping || slot.current !== proc;
    let restartInMs: number | undefined;
    if (!expected) {
      slot.current = null;
      restartInMs = slot.backoff.next(Date.now() - proc.startedAt);
      slot.restarts++;
      slot.restartTimer = setTimeout(() => {
        slot.restartTimer = undefined;
        if (!this.stopping) this.#spawn(slot, this.generation);
      }, restartInMs);
    }
    this.options.onEvent?.({
      type: "process-exited", pid: proc.pid, group: proc.group, index: proc.index,
      code: exit.code, signal: exit.signal, expected, restartInMs, stderrTail: [...proc.stderrTail],
    });
  }

  /** Drains every process (graceful: waits for long-lived connections) and resolves when all have exited. */
  async stop(graceful: boolean): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) clearTimeout(slot.restartTimer);
    const stopTimeoutMs = this.options.config.stopTimeout * 1000;
    // Past the worker's own stopTimeout, allow for the drain window and exit before SIGKILL.
    const deadline = graceful ? Infinity : stopTimeoutMs + this.options.config.drainWindowMs + 2000;
    await Promise.all([...this.processes].map((proc) => proc.stop(graceful, "stop", deadline)));
  }

  /** Ends the process of a slot so the supervisor replaces it (admin "restart one process"). */
  kill(pid: number): boolean {
    const proc = [...this.processes].find((p) => p.pid === pid);
    if (!proc) return false;
    proc.child.kill("SIGKILL");
    return true;
  }
}

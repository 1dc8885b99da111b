// Keeps `count` processes per group alive: starts them, restarts crashed ones with backoff, reloads by generation, stops them all.
import type { AppConfig, WorkerGroupConfig } from "../config/types.ts";
import { AppError } from "../errors.ts";
import { EXIT_CONFIG, type WorkerToMaster } from "../ipc.ts";
import { Backoff } from "./backoff.ts";
import type { EventListener, SupervisorEvent } from "./events.ts";
import { WorkerProcess, type ExitInfo } from "./worker-process.ts";


/** One place in a group (index 0..count-1) and the process that currently fills it. */
export interface Slot {
  group: WorkerGroupConfig;
  index: number;
  current: WorkerProcess | null;
  /** The next generation's process while a reload waits for it to listen. */
  pending: WorkerProcess | null;
  backoff: Backoff;
  restarts: number;
  restartTimer?: ReturnType<typeof setTimeout>;
}

export interface SupervisorOptions {
  config: AppConfig;
  /** Listening descriptors the master bound for unix:// groups, by group name. */
  listenFds: Map<string, number>;
  log: (line: string, stream: "stdout" | "stderr") => void;
}

export interface ReloadOptions {
  group?: string;
  graceful?: boolean;
}

export interface ReloadHandle {
  generation: number;
  groups: string[];
  /** Resolves when every new process listens (or failed) and the old ones were told to drain. */
  done: Promise<{ replaced: number; failed: number }>;
}

export class Supervisor {
  readonly slots: Slot[] = [];
  /** Every live process, including old generations still draining. */
  readonly processes = new Set<WorkerProcess>();
  generation = 1;
  reloads = 0;
  stopping = false;
  readonly #listeners = new Set<EventListener>();
  /** Where channel payloads from workers go (set by src/channel/'s master side). */
  onChannel: (payload: unknown, from: WorkerProcess) => void = () => {};

  constructor(private readonly options: SupervisorOptions) {
    for (const group of options.config.workers) {
      for (let index = 0; index < group.count; index++) {
        this.slots.push({ group, index, current: null, pending: null, backoff: new Backoff(), restarts: 0 });
      }
    }
  }

  /** Subscribes to process events (the event log, the SSE feed); returns the unsubscribe function. */
  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: SupervisorEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** Starts every slot; resolves when all listen, or rejects at once if a handler or config is unusable. */
  async start(): Promise<void> {
    const started = this.slots.map((slot) => (slot.current = this.#spawn(slot, this.generation)));
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

  slotOf(proc: WorkerProcess): Slot | undefined {
    return this.slots.find((slot) => slot.group.name === proc.group && slot.index === proc.index);
  }

  /** Starts generation g+1 of every reloadable group (or one group); each old process drains once its successor listens. */
  reload(options: ReloadOptions = {}): ReloadHandle {
    const graceful = options.graceful ?? false;
    if (this.stopping) throw new AppError("E_USAGE", "the master is stopping");
    if (options.group !== undefined && !this.options.config.workers.some((g) => g.name === options.group)) {
      throw new AppError("E_USAGE", `no group "${options.group}" (groups: ${this.options.config.workers.map((g) => g.name).join(", ")})`);
    }
    const slots = this.slots.filter((s) => s.group.reloadable && (options.group === undefined || s.group.name === options.group));
    if (options.group !== undefined && slots.length === 0) {
      throw new AppError("E_USAGE", `group "${options.group}" has "reloadable": false; restart its processes one by one instead`);
    }
    const generation = ++this.generation;
    this.reloads++;
    const groups = [...new Set(slots.map((s) => s.group.name))];
    this.emit({ type: "reload-begun", generation, groups, graceful });
    const done = Promise.all(slots.map((slot) => this.#replace(slot, generation, graceful))).then((results) => {
      const replaced = results.filter(Boolean).length;
      const summary = { replaced, failed: results.length - replaced };
      this.emit({ type: "reload-finished", generation, ...summary });
      return summary;
    });
    return { generation, groups, done };
  }

  /** Replaces one slot's process without a gap: the successor listens before the old one drains. */
  async #replace(slot: Slot, generation: number, graceful: boolean): Promise<boolean> {
    if (!slot.current || slot.pending) {
      // Nothing serves here (crashed, in backoff) or a replacement is under way: start afresh.
      if (!slot.current && !slot.pending) {
        clearTimeout(slot.restartTimer);
        slot.current = this.#spawn(slot, generation);
      }
      return true;
    }
    const old = slot.current;
    const next = (slot.pending = this.#spawn(slot, generation));
    try {
      await next.ready;
    } catch (err) {
      slot.pending = null;
      this.emit({ type: "reload-failed", pid: next.pid, group: slot.group.name, index: slot.index, generation, message: (err as Error).message });
      return false;
    }
    slot.pending = null;
    if (this.stopping) return false;
    slot.current = next;
    slot.backoff.reset();
    old.stop(graceful, "reload", graceful ? Infinity : this.#stopDeadlineMs());
    return true;
  }

  #stopDeadlineMs(): number {
    const { stopTimeout, drainWindowMs } = this.options.config;
    // Past the worker's own stopTimeout, allow for the drain window and its exit before SIGKILL.
    return stopTimeout * 1000 + drainWindowMs + 2000;
  }

  #spawn(slot: Slot, generation: number): WorkerProcess {
    const { config, listenFds, log } = this.options;
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
    this.processes.add(proc);
    const identity = { pid: proc.pid, group: proc.group, index: proc.index, generation };
    this.emit({ type: "process-started", ...identity });
    proc.ready.then(() => this.emit({ type: "process-ready", ...identity })).catch(() => {});
    proc.exited.then((exit) => this.#onExit(slot, proc, exit));
    return proc;
  }

  #onMessage(message: WorkerToMaster, proc: WorkerProcess): void {
    if (message.type === "handler-error") {
      this.emit({ type: "handler-error", pid: proc.pid, group: proc.group, callback: message.callback, message: message.message, stack: message.stack });
    } else if (message.type === "channel") {
      this.onChannel(message.payload, proc);
    } else if (message.type === "stats") {
      this.#checkMemory(proc, message.counters.rssBytes);
    }
  }

  /** maxMemoryMB: a process past its limit is replaced through the same no-gap path as a reload. */
  #checkMemory(proc: WorkerProcess, rssBytes: number): void {
    const slot = this.slotOf(proc);
    const limitMB = slot?.group.maxMemoryMB;
    if (!slot || !limitMB || slot.current !== proc || slot.pending || this.stopping) return;
    const limitBytes = limitMB * 1024 * 1024;
    if (rssBytes <= limitBytes) return;
    this.emit({ type: "memory-limit", pid: proc.pid, group: proc.group, index: proc.index, rssBytes, limitBytes });
    void this.#replace(slot, ++this.generation, false);
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
        if (!this.stopping && !slot.current) slot.current = this.#spawn(slot, this.generation);
      }, restartInMs);
    }
    this.emit({
      type: "process-exited", pid: proc.pid, group: proc.group, index: proc.index, generation: proc.generation,
      code: exit.code, signal: exit.signal, expected, restartInMs, stderrTail: [...proc.stderrTail],
    });
  }

  /** Drains every process (graceful: waits for long-lived connections) and resolves when all have exited. */
  async stop(graceful: boolean): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) clearTimeout(slot.restartTimer);
    const deadline = graceful ? Infinity : this.#stopDeadlineMs();
    await Promise.all([...this.processes].map((proc) => proc.stop(graceful, "stop", deadline)));
  }

  /** Sends a channel payload to every live process (old generations too: their clients are still connected). */
  sendChannel(payload: unknown, filter: (proc: WorkerProcess) => boolean = () => true): void {
    for (const proc of this.processes) if (filter(proc)) proc.send({ type: "channel", payload });
  }

  /** Restarts one process through the no-gap path (admin "restart one process"). */
  restartProcess(pid: number): boolean {
    const proc = [...this.processes].find((p) => p.pid === pid);
    const slot = proc && this.slotOf(proc);
    if (!proc || !slot || slot.current !== proc) return false;
    void this.#replace(slot, ++this.generation, false);
    return true;
  }
}

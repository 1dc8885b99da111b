// Keeps `count` processes per group alive: starts them (failing fast), restarts crashed ones with backoff, reloads through the health gate, stops them.
import type { ReloadRecord } from "./records.ts";
import type { AppConfig, WorkerGroupConfig } from "../config/types.ts";
import type { RelayToWorker, WorkerToRelay } from "../channel/protocol.ts";
import { AppError } from "../errors.ts";
import type { WorkerToMaster } from "../ipc.ts";
import { realClock, type Clock } from "./clock.ts";
import type { EventListener, SupervisorEvent } from "./events.ts";
import { exitedEvent, exitReason, StartFailure } from "./failure-reason.ts";
import { firstResult, gateGroup, waitReady, type GateOptions } from "./health-gate.ts";
import { ReloadTransaction, type TransactionHost } from "./reload-transaction.ts";
import { Probation, type Deployment } from "./probation.ts";
import { reloadPlans, stopDeadlineMs, withLiveSettings } from "./reload-request.ts";
import { overMemory, replaceOne, type ReplacementHost } from "./slot-replacement.ts";
import { ProcessLauncher } from "./process-launcher.ts";
import { ProcessWatch } from "./process-watch.ts";
import { SlotRestarts } from "./slot-restarts.ts";
import { inConfigOrder, newSlot, slotState, withGroup, type Slot } from "./slot.ts";
import type { ReloadHandle, ReloadOptions, SupervisorOptions } from "./supervisor-options.ts";
import { spawnChild, type ExitInfo, type WorkerProcess } from "./worker-process.ts";

export type { Slot } from "./slot.ts";
export type { ReloadHandle, ReloadOptions, SupervisorOptions } from "./supervisor-options.ts";

const KEEP_RELOAD_RECORDS = 20;

export class Supervisor {
  slots: Slot[] = [];
  /** Every live process, including old generations still draining and new ones still being gated. */
  readonly processes = new Set<WorkerProcess>();
  generation = 1;
  reloads = 0;
  stopping = false;
  config: AppConfig;
  readonly reloadRecords = new Map<number, ReloadRecord>();
  readonly #listeners = new Set<EventListener>();
  readonly #launcher: ProcessLauncher;
  readonly #clock: Clock;
  /** Groups with a reload under way, so two reloads never fight over one group. */
  readonly #reloading = new Map<string, number>();
  readonly #stopAsked = new WeakSet<WorkerProcess>();
  readonly #readyAt = new WeakMap<WorkerProcess, number>();
  readonly #watch: ProcessWatch;
  readonly #probation: Probation;
  readonly #restarts: SlotRestarts;
  /** Where channel payloads from workers go (set by src/channel/'s master side). */
  onChannel: (payload: WorkerToRelay, from: WorkerProcess) => void = () => {};

  constructor(private readonly options: SupervisorOptions) {
    this.config = options.config;
    this.generation = options.generation ?? 1;
    this.#clock = options.clock ?? realClock;
    for (const group of options.config.workers) {
      for (let index = 0; index < group.count; index++) this.slots.push(newSlot(group, index, this.generation));
    }
    const stopAsked = (proc: WorkerProcess) => void this.#stopProcess(proc, false);
    this.#launcher = new ProcessLauncher({
      options,
      spawner: options.spawner ?? spawnChild,
      config: () => this.config,
      emit: (event) => this.emit(event),
      started: (proc) => this.processes.add(proc),
      ready: (proc) => {
        this.#readyAt.set(proc, this.#clock.now());
        const slot = this.slots.find((s) => s.current === proc);
        if (slot) slot.everReady = true;
      },
      message: (message, proc) => this.#onMessage(message, proc),
      exited: (proc, exit) => this.#onExit(proc, exit),
    });
    this.#probation = new Probation(this, this.#clock, stopAsked, (slot) => this.#restarts.schedule(slot, 0));
    this.#restarts = new SlotRestarts({
      clock: this.#clock,
      holds: (slot) => !this.stopping && this.slots.includes(slot),
      spawn: (slot) => this.#launcher.spawn(slot.group, slot.index, slot.generation),
      refused: (err, slot, retryInMs) => this.#launcher.refused(err, slot.group, slot.index, slot.generation, retryInMs),
      watchStart: (proc, slot) =>
        void waitReady(proc, this.#gateOptions(slot.group)).then((reason) => reason?.kind === "start-timeout" && this.#watch.kill(proc, reason)),
    });
    this.#watch = new ProcessWatch({
      clock: this.#clock,
      processes: () => this.processes,
      watchedGroup: (proc) => this.#watchedGroup(proc),
      sampled: (proc) => this.#checkMemory(proc, proc.rssBytes ?? proc.counters?.rssBytes ?? 0),
      emit: (event) => this.emit(event),
    });
  }

  /** Subscribes to process events (the event log, the SSE feed); returns the unsubscribe function. */
  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: SupervisorEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** Starts every slot; resolves when all are ready, or throws a StartFailure with the first group's reason. */
  async start(): Promise<void> {
    this.#watch.start();
    for (const slot of this.slots) {
      try {
        slot.current = this.#launcher.spawn(slot.group, slot.index, this.generation);
      } catch (err) {
        throw new StartFailure(slot.group.name, this.#launcher.refused(err, slot.group, slot.index, this.generation));
      }
    }
    const options = { ...this.#gateOptions(), settle: false };
    const checks = this.config.workers.map((group) => {
      const procs = this.slots.filter((s) => s.group === group).map((s) => s.current!);
      return gateGroup(procs, options).then((reason) => reason && new StartFailure(group.name, reason));
    });
    const failure = await firstResult(checks);
    if (failure) throw failure;
  }

  stateOf(slot: Slot): string {
    return slotState(slot);
  }

  slotOf(proc: WorkerProcess): Slot | undefined {
    return this.slots.find((slot) => slot.group.name === proc.group && slot.index === proc.index);
  }

  /** Starts a reload transaction: each group's new generation must pass the health gate before its old one drains. */
  reload(options: ReloadOptions = {}): ReloadHandle {
    const plans = reloadPlans(this.config, options, this.#reloading, this.stopping);
    this.config = withLiveSettings(this.config, options.config);
    // A group still on probation commits to its current generation first: a rollback never skips a reload.
    for (const plan of plans) this.#probation.end(plan.name, "ended", `reload to generation ${this.generation + 1}`);
    const generation = ++this.generation;
    this.reloads++;
    for (const plan of plans) this.#reloading.set(plan.name, generation);
    const transaction = new ReloadTransaction(this.#transactionHost(options.config), generation, plans, options.graceful ?? false, options.needsRestart ?? []);
    this.reloadRecords.set(generation, transaction.record);
    for (const id of this.reloadRecords.keys()) if (this.reloadRecords.size > KEEP_RELOAD_RECORDS) this.reloadRecords.delete(id);
    const done = transaction.done.finally(() => {
      for (const plan of plans) if (this.#reloading.get(plan.name) === generation) this.#reloading.delete(plan.name);
    });
    return { record: transaction.record, done };
  }

  #transactionHost(next: AppConfig | undefined): TransactionHost {
    return {
      clock: this.#clock,
      baseDir: this.config.baseDir,
      startTimeoutMs: this.config.reload.startTimeout * 1000,
      healthyMs: (group) => this.#healthyMs(group),
      spawn: (group, index, generation) => this.#launcher.spawnReporting(group, index, generation),
      commit: (group, procs, graceful, entry, record) => this.#commit(group, procs, graceful, next, { entry, record }),
      remove: (name, graceful) => this.#removeGroup(name, graceful),
      discard: (procs) => procs.forEach((proc) => this.#stopProcess(proc, false)),
      emit: (event) => this.emit(event),
      stopping: () => this.stopping,
    };
  }

  #healthyMs(group: WorkerGroupConfig): number {
    return (group.healthySeconds ?? this.config.reload.healthySeconds) * 1000;
  }

  #gateOptions(group?: WorkerGroupConfig): GateOptions {
    const healthyMs = group ? this.#healthyMs(group) : this.config.reload.healthySeconds * 1000;
    return { startTimeoutMs: this.config.reload.startTimeout * 1000, healthyMs, clock: this.#clock, baseDir: this.config.baseDir };
  }

  /** The new generation passed the gate: it takes the group's slots; the old processes drain (their deadline goes on the record) or park. */
  #commit(group: WorkerGroupConfig, procs: WorkerProcess[], graceful: boolean, next: AppConfig | undefined, deploy: Deployment): void {
    const old = this.slots.filter((s) => s.group.name === group.name);
    const fresh = procs.map((proc, index) => ({
      ...newSlot(group, index, proc.generation),
      current: proc,
      everReady: true,
      restarts: old[index]?.restarts ?? 0,
    }));
    for (const slot of old) this.#releaseSlot(slot);
    // With probation on, the old processes park instead (listeners closed, code loaded) in case the new ones exit.
    if (!this.#probation.begin(group, old, graceful, deploy)) {
      const draining = old.flatMap((slot) => (slot.current ? [slot.current] : []));
      for (const proc of draining) this.#stopProcess(proc, graceful, "reload");
      // Said on the record: the old processes still take new connections for the drain window after "replaced".
      if (draining.length) deploy.entry.drainUntil = this.#clock.now() + stopDeadlineMs(this.config, graceful);
    }
    this.config = { ...this.config, workers: withGroup(this.config.workers, group, next?.workers.map((g) => g.name) ?? []) };
    this.setSlots(this.slots.filter((s) => s.group.name !== group.name).concat(fresh));
  }

  #removeGroup(name: string, graceful: boolean): void {
    for (const slot of this.slots.filter((s) => s.group.name === name)) {
      this.#releaseSlot(slot);
      if (slot.current) this.#stopProcess(slot.current, graceful, "stop");
    }
    this.config = { ...this.config, workers: this.config.workers.filter((g) => g.name !== name) };
    this.setSlots(this.slots.filter((s) => s.group.name !== name));
    this.options.groupRemoved?.(name);
  }

  /** A slot leaves the group (a reload took it): no restart pending, no replacement still being gated. */
  #releaseSlot(slot: Slot): void {
    this.#clock.clearTimeout(slot.restartTimer);
    if (slot.replacement) this.#stopProcess(slot.replacement, false);
  }

  /** Also a rollback's way to put a group's previous slots back. */
  setSlots(slots: Slot[]): void {
    this.slots = inConfigOrder(slots, this.config.workers);
  }

  #stopProcess(proc: WorkerProcess, graceful: boolean, why: "stop" | "reload" = "stop"): Promise<ExitInfo> {
    this.#stopAsked.add(proc);
    return proc.stop(graceful, why, stopDeadlineMs(this.config, graceful));
  }

  #watchedGroup(proc: WorkerProcess): WorkerGroupConfig | undefined {
    if (this.#stopAsked.has(proc) || !this.#readyAt.has(proc)) return undefined;
    return this.slots.find((s) => s.current === proc)?.group ?? this.config.workers.find((g) => g.name === proc.group);
  }

  #onMessage(message: WorkerToMaster, proc: WorkerProcess): void {
    if (message.type === "handler-error") {
      this.emit({ type: "handler-error", pid: proc.pid, group: proc.group, callback: message.callback, message: message.message, stack: message.stack });
    } else if (message.type === "channel") {
      this.onChannel(message.payload, proc);
    }
  }

  /** maxMemoryMB, against the master's own reading: a process past its limit is replaced through the same gate as a reload. */
  #checkMemory(proc: WorkerProcess, rssBytes: number): void {
    const slot = this.slots.find((s) => s.current === proc);
    if (!slot || slot.replacing || this.#reloading.has(slot.group.name) || this.stopping) return;
    const over = overMemory(slot, proc, rssBytes);
    if (!over) return;
    this.emit(over);
    void replaceOne(this.#replacementHost(), slot);
  }

  #replacementHost(): ReplacementHost {
    return {
      clock: this.#clock,
      emit: (event) => this.emit(event),
      nextGeneration: () => ++this.generation,
      spawn: (group, index, generation) => this.#launcher.spawnReporting(group, index, generation),
      stop: (proc, why) => void this.#stopProcess(proc, false, why),
      gateOptions: (group) => this.#gateOptions(group),
      stillHolds: (slot) => !this.stopping && this.slots.includes(slot),
    };
  }

  #onExit(proc: WorkerProcess, exit: ExitInfo): void {
    this.processes.delete(proc);
    const slot = this.slots.find((s) => s.current === proc);
    const expected = this.stopping || this.#stopAsked.has(proc);
    const now = this.#clock.now();
    const reason = expected ? undefined : (this.#watch.killedReason(proc) ?? exitReason(proc, exit, this.config.baseDir, this.#readyAt.get(proc), now));
    const rolledBack = !expected && this.#probation.exited(proc, reason);
    let restartInMs: number | undefined;
    if (slot && !expected && !rolledBack) {
      slot.current = null;
      slot.lastExit = { code: exit.code, signal: exit.signal, at: now, reason: reason! };
      // Only a slot that was ready once is restarted: a process that never got ready fails the start instead.
      if (slot.everReady) restartInMs = this.#restarts.schedule(slot, now - proc.startedAt);
    }
    this.emit(exitedEvent(proc, exit, expected, restartInMs, reason));
  }

  /** Starts now every slot of `group` that waits in backoff (forgetting its crash count); returns how many. */
  retry(group: string): number {
    if (!this.config.workers.some((g) => g.name === group)) {
      throw new AppError("E_USAGE", `no group "${group}" (groups: ${this.config.workers.map((g) => g.name).join(", ")})`);
    }
    const waiting = this.slots.filter((s) => s.group.name === group && !s.current);
    for (const slot of waiting) this.#restarts.retryNow(slot);
    this.emit({ type: "retry", group, slots: waiting.length, lastExit: waiting[0]?.lastExit });
    return waiting.length;
  }

  /** Drains every process (graceful: waits for long-lived connections) and resolves when all have exited. */
  async stop(graceful: boolean): Promise<void> {
    this.stopping = true;
    this.#watch.stop();
    this.#probation.endAll("the master stopping");
    for (const slot of this.slots) this.#clock.clearTimeout(slot.restartTimer);
    await Promise.all([...this.processes].map((proc) => this.#stopProcess(proc, graceful)));
  }

  /** Sends a channel payload to every live process (old generations too: their clients are still connected). */
  sendChannel(payload: RelayToWorker, filter: (proc: WorkerProcess) => boolean = () => true): void {
    for (const proc of this.processes) if (filter(proc)) proc.send({ type: "channel", payload });
  }

  /** Restarts one process through the gate (admin "restart one process"). */
  restartProcess(pid: number): boolean {
    const slot = this.slots.find((s) => s.current?.pid === pid);
    if (!slot || slot.replacing || this.#reloading.has(slot.group.name) || this.stopping) return false;
    void replaceOne(this.#replacementHost(), slot);
    return true;
  }
}

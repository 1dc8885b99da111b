// Keeps `count` processes per group alive: starts them (failing fast), restarts crashed ones with backoff, reloads through the health gate, stops them.
import type { ReloadRecord } from "./records.ts";
import type { AppConfig, WorkerGroupConfig } from "../config/types.ts";
import type { RelayToWorker } from "../channel/protocol.ts";
import { AppError } from "../errors.ts";
import type { WorkerToMaster } from "../ipc.ts";
import { realClock, type Clock } from "./clock.ts";
import type { EventListener, SupervisorEvent } from "./events.ts";
import { exitedEvent, exitReason, StartFailure } from "./failure-reason.ts";
import { firstResult, gateGroup, waitReady, type GateOptions } from "./health-gate.ts";
import { ReloadTransaction, type TransactionHost } from "./reload-transaction.ts";
import { Probation } from "./probation.ts";
import { reloadPlans } from "./reload-request.ts";
import { RunningConfig } from "./running-config.ts";
import { overMemory, replaceOne, type ReplacementHost } from "./slot-replacement.ts";
import { ProcessLauncher } from "./process-launcher.ts";
import { ProcessTable, type ProcessTableView } from "./process-table.ts";
import { ProcessWatch } from "./process-watch.ts";
import { SlotRestarts } from "./slot-restarts.ts";
import { slotState, slotsFor, type Slot } from "./slot.ts";
import type { ReplacementOutcome, SupervisorActions, SupervisorEvents, SupervisorQueries } from "./supervisor-interface.ts";
import type { ReloadHandle, ReloadOptions, SupervisorOptions } from "./supervisor-options.ts";
import { spawnChild, type ExitInfo, type WorkerProcess } from "./worker-process.ts";

export type { Slot } from "./slot.ts";
export type { ReloadHandle, ReloadOptions, SupervisorOptions } from "./supervisor-options.ts";

const KEEP_RELOAD_RECORDS = 20;
/** A crashed slot's next process is spawned this long before its restart is due: about its runtime's boot and modules (bench/restart-latency.ts). */
const PRESPAWN_LEAD_MS = 60;

/** Reached by others through the interfaces it implements (supervisor-interface.ts): its state is private. */
export class Supervisor implements SupervisorQueries, SupervisorEvents, SupervisorActions {
  #generation: number;
  #reloads = 0;
  #stopping = false;
  readonly #running: RunningConfig;
  readonly #reloadRecords = new Map<number, ReloadRecord>();
  readonly #listeners = new Set<EventListener>();
  readonly #launcher: ProcessLauncher;
  readonly #clock: Clock;
  /** Groups with a reload under way, so two reloads never fight over one group. */
  readonly #reloading = new Map<string, number>();
  /** Who owns each process (a slot, a gate, a drain, a probation's park, a stop): every change goes through it. */
  readonly #table: ProcessTable;
  readonly #watch: ProcessWatch;
  readonly #probation: Probation;
  readonly #restarts: SlotRestarts;

  constructor(private readonly options: SupervisorOptions) {
    const running = (this.#running = new RunningConfig(options.config));
    this.#generation = options.generation ?? 1;
    this.#clock = options.clock ?? realClock;
    this.#table = new ProcessTable({
      clock: this.#clock,
      workers: () => running.current.workers,
      stopDeadlineMs: (graceful) => running.stopDeadlineMs(graceful),
      violated: options.invariantBroken ?? ((text) => options.log(`[master] a supervisor invariant broke (please report it): ${text}`, "stderr")),
    });
    for (const group of options.config.workers) this.#table.setGroupSlots(group.name, slotsFor(group, this.#generation));
    this.#launcher = new ProcessLauncher({
      options,
      spawner: options.spawner ?? spawnChild,
      config: () => running.current,
      emit: (event) => this.emit(event),
      started: (proc, purpose) => this.#table.spawned(proc, purpose),
      ready: (proc) => this.#table.ready(proc, this.#clock.now()),
      message: (message, proc) => this.#onMessage(message, proc),
      exited: (proc, exit) => this.#onExit(proc, exit),
    });
    this.#probation = new Probation({
      clock: this.#clock,
      table: this.#table,
      running,
      stopping: () => this.#stopping,
      emit: (event) => this.emit(event),
      stop: (proc) => void this.#table.stop(proc, false),
      restart: (slot) => this.#restarts.schedule(slot, 0),
    });
    this.#restarts = new SlotRestarts({
      clock: this.#clock,
      holds: (slot) => !this.#stopping && this.#table.holds(slot),
      spawn: (slot, deferLaunch) => this.#launcher.spawn(slot.group, slot.index, slot.generation, { slot }, deferLaunch),
      prespawnLeadMs: options.prespawnLeadMs ?? (options.spawner ? 0 : PRESPAWN_LEAD_MS),
      refused: (err, slot, retryInMs) => this.#launcher.refused(err, slot.group, slot.index, slot.generation, retryInMs),
      watchStart: (proc, slot) =>
        void waitReady(proc, this.#gateOptions(slot.group)).then((reason) => reason?.kind === "start-timeout" && this.#watch.kill(proc, reason)),
    });
    this.#watch = new ProcessWatch({
      clock: this.#clock,
      processes: () => this.#table.processes,
      watchedGroup: (proc) => this.#watchedGroup(proc),
      sampled: (proc) => this.#checkMemory(proc, proc.rssBytes ?? proc.counters?.rssBytes ?? 0),
      emit: (event) => this.emit(event),
    });
  }

  get config(): AppConfig {
    return this.#running.current;
  }

  get generation(): number {
    return this.#generation;
  }

  get reloads(): number {
    return this.#reloads;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  get reloadRecords(): ReadonlyMap<number, ReloadRecord> {
    return this.#reloadRecords;
  }

  /** A view of the process table. */
  get slots(): readonly Slot[] {
    return this.#table.slots;
  }

  get processes(): ReadonlySet<WorkerProcess> {
    return this.#table.processes;
  }

  get table(): ProcessTableView {
    return this.#table;
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
        this.#launcher.spawn(slot.group, slot.index, this.#generation, { slot });
      } catch (err) {
        throw new StartFailure(slot.group.name, this.#launcher.refused(err, slot.group, slot.index, this.#generation));
      }
    }
    const options = { ...this.#gateOptions(), settle: false };
    const checks = this.config.workers.map((group) => {
      const procs = this.#table.slotsOf(group.name).map((s) => s.current!);
      return gateGroup(procs, options).then((reason) => reason && new StartFailure(group.name, reason));
    });
    const failure = await firstResult(checks);
    if (failure) throw failure;
  }

  stateOf(slot: Slot): string {
    return slotState(slot);
  }

  /** Starts a reload transaction: each group's new generation must pass the health gate before its old one drains. */
  reload(options: ReloadOptions = {}): ReloadHandle {
    const plans = reloadPlans(this.config, options, this.#reloading, this.#stopping);
    this.#running.applyLiveSettings(options.config);
    // A group still on probation commits to its current generation first: a rollback never skips a reload.
    for (const plan of plans) this.#probation.end(plan.name, "ended", `reload to generation ${this.#generation + 1}`);
    const generation = ++this.#generation;
    this.#reloads++;
    for (const plan of plans) this.#reloading.set(plan.name, generation);
    const { graceful = false, needsRestart = [] } = options;
    const transaction = new ReloadTransaction(this.#transactionHost(), generation, plans, graceful, needsRestart, options.config);
    this.#reloadRecords.set(generation, transaction.record);
    for (const id of this.#reloadRecords.keys()) if (this.#reloadRecords.size > KEEP_RELOAD_RECORDS) this.#reloadRecords.delete(id);
    const done = transaction.done.finally(() => {
      for (const plan of plans) if (this.#reloading.get(plan.name) === generation) this.#reloading.delete(plan.name);
    });
    return { record: transaction.record, done };
  }

  #transactionHost(): TransactionHost {
    return {
      clock: this.#clock,
      table: this.#table,
      running: this.#running,
      probation: this.#probation,
      spawn: (group, index, generation) => this.#launcher.spawnReporting(group, index, generation, { gate: "reload" }),
      killedReason: (proc) => this.#watch.killedReason(proc),
      groupRemoved: (name) => this.options.groupRemoved?.(name),
      emit: (event) => this.emit(event),
      stopping: () => this.#stopping,
    };
  }

  #gateOptions(group?: WorkerGroupConfig): GateOptions {
    const { reload, baseDir } = this.config;
    const killedReason = (proc: WorkerProcess) => this.#watch.killedReason(proc);
    return { startTimeoutMs: reload.startTimeout * 1000, healthyMs: this.#running.healthyMs(group), clock: this.#clock, baseDir, killedReason };
  }

  #watchedGroup(proc: WorkerProcess): WorkerGroupConfig | undefined {
    const entry = this.#table.entryOf(proc);
    if (!entry || entry.stopAsked || entry.readyAt === undefined) return undefined;
    return entry.slot?.group ?? this.config.workers.find((g) => g.name === proc.group);
  }

  #onMessage(message: WorkerToMaster, proc: WorkerProcess): void {
    if (message.type === "channel") return this.options.onChannel?.(message.payload, proc);
    if (message.type === "shared") return this.options.onShared?.(message.request, proc);
    if (message.type === "handler-error") {
      this.emit({ type: "handler-error", pid: proc.pid, group: proc.group, callback: message.callback, message: message.message, stack: message.stack });
    }
  }

  /** maxMemoryMB, against the master's own reading: a process past its limit is replaced through the same gate as a reload. */
  #checkMemory(proc: WorkerProcess, rssBytes: number): void {
    const slot = this.#table.entryOf(proc)?.slot;
    if (slot?.current !== proc || slot.replacing || this.#reloading.has(slot.group.name) || this.#stopping) return;
    const over = overMemory(slot, proc, rssBytes);
    if (!over) return;
    this.emit(over);
    void replaceOne(this.#replacementHost(), slot);
  }

  #replacementHost(): ReplacementHost {
    return {
      clock: this.#clock,
      emit: (event) => this.emit(event),
      nextGeneration: () => ++this.#generation,
      spawn: (slot, generation) => this.#launcher.spawnReporting(slot.group, slot.index, generation, { gate: "replacement", slot }),
      serve: (slot, proc) => this.#table.serve(slot, proc),
      stop: (proc, why) => this.#table.stop(proc, false, why),
      gateOptions: (group) => this.#gateOptions(group),
      stillHolds: (slot, next) => !this.#stopping && this.#table.holds(slot) && this.#table.replacementOf(slot) === next,
      slotLeft: (slot) => this.#stopping || !this.#table.holds(slot),
    };
  }

  #onExit(proc: WorkerProcess, exit: ExitInfo): void {
    const entry = this.#table.exited(proc);
    // The slot it filled (not one it was gated to take): the table has emptied it.
    const slot = entry?.gate === undefined ? entry?.slot : undefined;
    const expected = this.#stopping || !!entry?.stopAsked;
    const now = this.#clock.now();
    const reason = expected ? undefined : (this.#watch.killedReason(proc) ?? exitReason(proc, exit, this.config.baseDir, entry?.readyAt, now));
    const rolledBack = !expected && this.#probation.exited(proc, slot !== undefined, reason);
    let restartInMs: number | undefined;
    if (slot && !expected && !rolledBack) {
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
    this.#stopping = true;
    this.#watch.stop();
    this.#probation.endAll("the master stopping");
    // Every slot leaves (no restart is pending any more); each process is then asked to stop.
    this.#table.clearSlots();
    await Promise.all([...this.#table.processes].map((proc) => this.#table.stop(proc, graceful)));
  }

  /** Sends a channel payload to every live process (old generations too: their clients are still connected). */
  sendChannel(payload: RelayToWorker, filter: (proc: WorkerProcess) => boolean = () => true): void {
    for (const proc of this.processes) if (filter(proc)) proc.send({ type: "channel", payload });
  }

  /** Restarts one process through the gate (admin "restart one process"); `done` hears how it ended. */
  restartProcess(pid: number, done?: (outcome: ReplacementOutcome) => void): boolean {
    const slot = this.slots.find((s) => s.current?.pid === pid);
    if (!slot || slot.replacing || this.#reloading.has(slot.group.name) || this.#stopping) return false;
    void replaceOne(this.#replacementHost(), slot).then(done);
    return true;
  }
}

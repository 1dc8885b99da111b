// The one owner of every process the supervisor spawned: each is in exactly one state from spawn to exit, with the group slots it serves in, and every change of owner goes through here.
import type { WorkerGroupConfig } from "../config/types.ts";
import type { Clock } from "./clock.ts";
import { inConfigOrder, type Slot } from "./slot.ts";
import type { ExitInfo, WorkerProcess } from "./worker-process.ts";

/**
 * starting: fills a slot, not ready yet (first start, respawn). serving: fills a slot, was ready. gating: a reload's new
 * generation or one slot's replacement, not committed yet. draining: out of its slot, still answering: an old generation
 * told to stop by a reload, or a rolled-back one until the unparked processes listen again. parked: probation keeps it,
 * listener closed. stopping: told to stop for any other reason (gate failed, group removed, probation over, master stopping).
 */
export type TableState = "starting" | "gating" | "serving" | "draining" | "parked" | "stopping";

export interface TableEntry {
  readonly proc: WorkerProcess;
  state: TableState;
  /** starting and serving: the slot it fills; gating as a replacement: the slot it would take. */
  slot?: Slot;
  /** gating: for whom. */
  gate?: "reload" | "replacement";
  /** Asked to stop by the supervisor: its exit is no crash. */
  stopAsked: boolean;
  readyAt?: number;
}

/** Why a process is spawned: to fill an empty slot, or to be gated (a reload's generation, or one slot's replacement). */
export type SpawnPurpose = { slot: Slot } | { gate: "reload" } | { gate: "replacement"; slot: Slot };

export interface TableHost {
  clock: Clock;
  /** The running config's groups (the slots' order). */
  workers: () => WorkerGroupConfig[];
  stopDeadlineMs: (graceful: boolean) => number;
  /**
   * An invariant broke. The supervisor reports it on its log in production (a bookkeeping slip should not take every
   * worker down with the master); tests throw, so the sequence that broke it fails at the step that did.
   */
  violated: (text: string) => void;
}

const name = (proc: WorkerProcess) => `pid ${proc.pid} ${proc.group}#${proc.index} gen ${proc.generation}`;

/** What others may read of the table (the status, the simulation's checks): nothing here changes an owner. */
export type ProcessTableView = Pick<ProcessTable, "processes" | "slots" | "entryOf" | "slotsOf" | "replacementOf">;

export class ProcessTable {
  readonly #entries = new Map<WorkerProcess, TableEntry>();
  readonly #live = new Set<WorkerProcess>();
  #slots: Slot[] = [];

  constructor(private readonly host: TableHost) {}

  /** Every live process, in spawn order. */
  get processes(): ReadonlySet<WorkerProcess> {
    return this.#live;
  }

  /** The slots of the running groups, in config order. */
  get slots(): readonly Slot[] {
    return this.#slots;
  }

  entryOf(proc: WorkerProcess): Readonly<TableEntry> | undefined {
    return this.#entries.get(proc);
  }

  slotsOf(group: string): Slot[] {
    return this.#slots.filter((slot) => slot.group.name === group);
  }

  holds(slot: Slot): boolean {
    return this.#slots.includes(slot);
  }

  /** The process being gated to take `slot` (memory limit, restart of one process), if any. */
  replacementOf(slot: Slot): WorkerProcess | undefined {
    for (const entry of this.#entries.values()) if (entry.gate === "replacement" && entry.slot === slot) return entry.proc;
    return undefined;
  }

  spawned(proc: WorkerProcess, purpose: SpawnPurpose): void {
    if (this.#entries.has(proc)) return this.host.violated(`${name(proc)} was spawned twice`);
    const entry: TableEntry = { proc, state: "gating", stopAsked: false };
    if ("gate" in purpose) Object.assign(entry, { gate: purpose.gate, slot: "slot" in purpose ? purpose.slot : undefined });
    else if (purpose.slot.current || !this.holds(purpose.slot)) this.host.violated(`${name(proc)} spawned for a slot that is taken or gone`);
    else {
      Object.assign(entry, { state: "starting", slot: purpose.slot });
      purpose.slot.current = proc;
    }
    this.#entries.set(proc, entry);
    this.#live.add(proc);
    this.verify();
  }

  ready(proc: WorkerProcess, at: number): void {
    const entry = this.#entries.get(proc);
    if (!entry) return;
    entry.readyAt = at;
    if (entry.state !== "starting") return;
    entry.state = "serving";
    entry.slot!.everReady = true;
  }

  /** `proc` (gated, or parked by a probation) fills `slot`; its previous process, if any, leaves it (draining) and is returned. */
  serve(slot: Slot, proc: WorkerProcess): WorkerProcess | null {
    const entry = this.#entries.get(proc);
    if (!entry || !["gating", "parked"].includes(entry.state) || !this.holds(slot)) {
      this.host.violated(`${name(proc)} (${entry?.state ?? "exited"}) cannot fill slot ${slot.group.name}#${slot.index}`);
      return null;
    }
    const previous = this.#vacate(slot);
    Object.assign(entry, { state: entry.readyAt === undefined ? "starting" : "serving", slot, gate: undefined });
    slot.current = proc;
    if (entry.readyAt !== undefined) slot.everReady = true;
    this.verify();
    return previous;
  }

  /** The group's slots become `next`. Each slot that leaves drops its restart timer and stops its gated replacement; its process (returned) drains until the caller parks or stops it. */
  setGroupSlots(group: string, next: Slot[]): WorkerProcess[] {
    const leaving = this.slotsOf(group).filter((slot) => !next.includes(slot));
    const others = this.#slots.filter((slot) => slot.group.name !== group);
    this.#slots = inConfigOrder([...others, ...next], this.host.workers());
    const left = this.#release(leaving);
    this.verify();
    return left;
  }

  /** The master stops: every slot leaves (nothing restarts), and the processes that filled them are returned. */
  clearSlots(): WorkerProcess[] {
    const leaving = this.#slots;
    this.#slots = [];
    return this.#release(leaving);
  }

  park(proc: WorkerProcess): void {
    const entry = this.#entries.get(proc);
    if (entry?.state !== "draining" || entry.stopAsked) return this.host.violated(`${name(proc)} (${entry?.state ?? "exited"}) cannot park`);
    entry.state = "parked";
  }

  /** Asks `proc` to stop with the running config's deadline; a process that fills a slot must leave it first. */
  stop(proc: WorkerProcess, graceful: boolean, why: "stop" | "reload" = "stop"): Promise<ExitInfo> {
    const entry = this.#entries.get(proc);
    if (entry?.slot?.current === proc) {
      this.host.violated(`${name(proc)} was asked to stop while it fills slot ${entry.slot.group.name}#${entry.slot.index}`);
      this.#vacate(entry.slot);
    }
    if (entry) Object.assign(entry, { state: why === "reload" ? "draining" : "stopping", stopAsked: true, gate: undefined, slot: undefined });
    return proc.stop(graceful, why, this.host.stopDeadlineMs(graceful));
  }

  /** The process is gone: its entry (as it was) is returned and its slot, if it filled one, is empty. */
  exited(proc: WorkerProcess): TableEntry | undefined {
    const entry = this.#entries.get(proc);
    this.#entries.delete(proc);
    this.#live.delete(proc);
    if (entry?.slot?.current === proc) entry.slot.current = null;
    return entry;
  }

  #release(leaving: Slot[]): WorkerProcess[] {
    const left: WorkerProcess[] = [];
    for (const slot of leaving) {
      this.host.clock.clearTimeout(slot.restartTimer);
      slot.restartTimer = undefined;
      const replacement = this.replacementOf(slot);
      if (replacement) void this.stop(replacement, false);
      const proc = this.#vacate(slot);
      if (proc) left.push(proc);
    }
    return left;
  }

  #vacate(slot: Slot): WorkerProcess | null {
    const proc = slot.current;
    slot.current = null;
    const entry = proc && this.#entries.get(proc);
    if (entry) Object.assign(entry, { state: "draining", slot: undefined });
    return proc;
  }

  /** The cheap invariants: each slot's process fills that slot and no other, each slot-filling entry's slot is running, a replacement's slot too. */
  verify(): void {
    const slots = new Set(this.#slots);
    const places = new Set<string>();
    for (const slot of slots) {
      const place = `${slot.group.name}#${slot.index}`;
      if (places.has(place)) this.host.violated(`slot ${place} is in the table twice`);
      places.add(place);
      const entry = slot.current && this.#entries.get(slot.current);
      if (slot.current && (entry?.slot !== slot || (entry.state !== "starting" && entry.state !== "serving")))
        this.host.violated(`slot ${place} holds ${name(slot.current)}, which is ${entry ? `${entry.state} elsewhere` : "gone"}`);
    }
    for (const entry of this.#entries.values()) {
      if (!entry.slot) continue;
      const where = `slot ${entry.slot.group.name}#${entry.slot.index}`;
      if (!slots.has(entry.slot)) this.host.violated(`${name(entry.proc)} is ${entry.state} for ${where}, which left the table`);
      else if (entry.gate !== "replacement" && entry.slot.current !== entry.proc)
        this.host.violated(`${name(entry.proc)} is ${entry.state} in ${where} but not its process`);
    }
  }
}

// One place in a group (index 0..count-1): the process filling it, and its restart history while it keeps crashing.
import type { LastExit } from "./records.ts";
import type { WorkerGroupConfig } from "../config/types.ts";
import { Backoff } from "./backoff.ts";
import type { WorkerProcess } from "./worker-process.ts";

export interface Slot {
  group: WorkerGroupConfig;
  index: number;
  /** The generation whose config the slot runs: a crashed process comes back with it, not with a reload's newer one. */
  generation: number;
  /** null while the slot waits for its restart (backoff). Written by the process table only. */
  current: WorkerProcess | null;
  /** A single-process replacement (memory limit, admin restart) is under way (the table knows its successor). */
  replacing: boolean;
  backoff: Backoff;
  restarts: number;
  /** Once a process of this slot was ready, crashes are restarted with backoff; before that, the start fails. */
  everReady: boolean;
  restartTimer?: unknown;
  nextRetryAt?: number;
  lastExit?: LastExit;
}

export function newSlot(group: WorkerGroupConfig, index: number, generation: number): Slot {
  return { group, index, generation, current: null, replacing: false, backoff: new Backoff(), restarts: 0, everReady: false };
}

/** A group's empty slots, 0..count-1. */
export function slotsFor(group: WorkerGroupConfig, generation: number): Slot[] {
  return Array.from({ length: group.count }, (_, index) => newSlot(group, index, generation));
}

/** What the status shows for the slot's current process (or for the empty slot). */
export function slotState(slot: Slot): string {
  if (!slot.current) return slot.backoff.crashLooping ? "crashloop" : "backoff";
  return slot.backoff.crashLooping && slot.current.state === "starting" ? "crashloop" : slot.current.state;
}

/** Slots in config order, then by index: the status table's order. */
export function inConfigOrder(slots: Slot[], workers: WorkerGroupConfig[]): Slot[] {
  const order = workers.map((g) => g.name);
  return slots.sort((a, b) => order.indexOf(a.group.name) - order.indexOf(b.group.name) || a.index - b.index);
}

/** The group list with `group` in it: replacing its namesake, or (a new group) where `order` (the next app.json) puts it. */
export function withGroup(workers: WorkerGroupConfig[], group: WorkerGroupConfig, order: string[]): WorkerGroupConfig[] {
  if (workers.some((g) => g.name === group.name)) return workers.map((g) => (g.name === group.name ? group : g));
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return [...workers, group].sort((a, b) => rank(a.name) - rank(b.name));
}

/** A reload plan that only replaces code: every reloadable group (or just `only`), its config as it is. */
export function unchangedPlans(groups: WorkerGroupConfig[], only?: string) {
  return groups
    .filter((g) => g.reloadable && (only === undefined || g.name === only))
    .map((g) => ({ name: g.name, change: "unchanged" as const, keys: [] as string[], next: g }));
}

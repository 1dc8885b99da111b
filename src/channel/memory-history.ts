// Kept group messages in the master (one host): per group an epoch, the last offset given out, and the last N messages.
import type { HistorySlice, WireData } from "./protocol.ts";
import type { HistoryRules } from "./history-rules.ts";

interface Entry {
  offset: number;
  at: number;
  data: WireData;
}

interface GroupLog {
  epoch: string;
  offset: number;
  /** entries[start..] are live; the dead head is cut off now and then, not per message. */
  entries: Entry[];
  start: number;
  lastAt: number;
}

const SWEEP_MS = 5_000;

export function newEpoch(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

export class MemoryHistory {
  readonly #groups = new Map<string, GroupLog>();
  readonly #sweep: ReturnType<typeof setInterval>;

  constructor(private readonly rules: HistoryRules) {
    this.#sweep = setInterval(() => this.#expire(Date.now()), SWEEP_MS);
    this.#sweep.unref();
  }

  /** Gives the message the group's next offset and keeps it (within the group's size); returns where it went. */
  append(group: string, data: WireData, now = Date.now()): { offset: number; epoch: string } {
    const log = this.#log(group);
    const { size } = this.rules.of(group);
    const offset = ++log.offset;
    log.lastAt = now;
    if (size > 0) {
      log.entries.push({ offset, at: now, data });
      if (log.entries.length - log.start > size) log.start++;
      if (log.start > 1024 && log.start * 2 > log.entries.length) this.#compact(log);
    }
    return { offset, epoch: log.epoch };
  }

  /** The kept messages after `since` (all kept ones without it), at most `limit`, oldest first. */
  read(group: string, since?: number, limit = Infinity): HistorySlice {
    const log = this.#groups.get(group);
    // Reading never creates a group: a client naming groups at will must not cost memory. Epoch "" matches no position.
    if (!log) return { epoch: "", offset: 0, messages: [], complete: false };
    this.#dropOld(log, this.rules.of(group).ttlMs, Date.now());
    const live = log.entries.length > log.start ? log.entries.slice(log.start) : [];
    const oldest = live[0]?.offset ?? log.offset + 1;
    const after = since === undefined ? live : live.filter((entry) => entry.offset > since);
    const complete = since !== undefined && since <= log.offset && since >= oldest - 1;
    const messages = after.slice(0, limit).map((entry): [number, WireData] => [entry.offset, entry.data]);
    return { epoch: log.epoch, offset: log.offset, messages, complete };
  }

  stop(): void {
    clearInterval(this.#sweep);
  }

  /** Kept messages across all groups (for status and the bench). */
  get size(): number {
    let n = 0;
    for (const log of this.#groups.values()) n += log.entries.length - log.start;
    return n;
  }

  #log(group: string): GroupLog {
    let log = this.#groups.get(group);
    if (!log) this.#groups.set(group, (log = { epoch: newEpoch(), offset: 0, entries: [], start: 0, lastAt: Date.now() }));
    return log;
  }

  #dropOld(log: GroupLog, ttlMs: number, now: number): void {
    while (log.start < log.entries.length && log.entries[log.start]!.at < now - ttlMs) log.start++;
    if (log.start === log.entries.length) {
      log.entries = [];
      log.start = 0;
    }
  }

  #compact(log: GroupLog): void {
    log.entries = log.entries.slice(log.start);
    log.start = 0;
  }

  /**
   * Expired messages go; a group with nothing kept and no message for twice its ttl goes too (its next message
   * starts a new epoch, so a client holding the old one is told it cannot recover rather than handed a reused offset).
   */
  #expire(now: number): void {
    for (const [group, log] of this.#groups) {
      const { ttlMs } = this.rules.of(group);
      this.#dropOld(log, ttlMs, now);
      if (log.entries.length === 0 && now - log.lastAt > 2 * ttlMs) this.#groups.delete(group);
      else if (log.start > 0) this.#compact(log);
    }
  }
}

// Kept group messages in the master (one host): per group an epoch, the last offset given out, and the last messages within count and byte bounds.
import { HISTORY_PAGE_BYTES } from "../channel-limits.ts";
import type { HistoryRules } from "./history-rules.ts";
import type { HistorySlice, WireData } from "../protocol.ts";
import { ReleasedMemory } from "../../released-memory.ts";

interface Entry {
  offset: number;
  at: number;
  data: WireData;
  bytes: number;
}

interface GroupLog {
  group: string;
  epoch: string;
  offset: number;
  /** entries[start..] are live; the dead head is cut off now and then, not per message. */
  entries: Entry[];
  start: number;
  lastAt: number;
  /** Bytes of the live entries. */
  bytes: number;
}

/** A kept message in the order of all appends, for the app-wide byte bound (oldest first, whatever the group). */
interface Ref {
  log: GroupLog;
  offset: number;
}

const SWEEP_MS = 5_000;
/** Trimmed messages are garbage until a collection: one after every 16 MiB trimmed, at most every 100 ms. */
const released = new ReleasedMemory(16 * 1024 * 1024, 100);

export function newEpoch(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

/** What a message costs to keep: its data's bytes (base64 for binary) and a little for the entry. */
export function keptBytes(data: WireData): number {
  return (typeof data === "string" ? Buffer.byteLength(data) : data.b.length) + 64;
}

export class MemoryHistory {
  readonly #groups = new Map<string, GroupLog>();
  readonly #sweep: ReturnType<typeof setInterval>;
  #order: Ref[] = [];
  #orderStart = 0;
  #totalBytes = 0;
  #totalEntries = 0;

  constructor(private readonly rules: HistoryRules) {
    this.#sweep = setInterval(() => this.#expire(Date.now()), SWEEP_MS);
    this.#sweep.unref();
  }

  /**
   * Gives the message the group's next offset and keeps it within the group's count and bytes and the app's total
   * bytes, the oldest going first. One too large to keep is still given its offset (and delivered), but the history
   * before it goes too: a recover across it must say it could not, not skip it silently.
   */
  append(group: string, data: WireData, now = Date.now()): { offset: number; epoch: string } {
    const log = this.#log(group);
    const { size, maxBytes } = this.rules.of(group);
    const offset = ++log.offset;
    log.lastAt = now;
    if (size <= 0) return { offset, epoch: log.epoch };
    const bytes = keptBytes(data);
    if (bytes > maxBytes) {
      while (log.start < log.entries.length) this.#dropHead(log);
      return { offset, epoch: log.epoch };
    }
    log.entries.push({ offset, at: now, data, bytes });
    log.bytes += bytes;
    this.#totalBytes += bytes;
    this.#totalEntries++;
    this.#order.push({ log, offset });
    while (log.entries.length - log.start > size || log.bytes > maxBytes) this.#dropHead(log);
    while (this.#totalBytes > this.rules.maxTotalBytes && this.#evictOldest());
    if (log.start > 1024 && log.start * 2 > log.entries.length) this.#compact(log);
    if (this.#order.length - this.#orderStart > 2 * this.#totalEntries + 1024) this.#compactOrder();
    return { offset, epoch: log.epoch };
  }

  /**
   * The kept messages after `since` (all kept ones without it), oldest first: at most `limit`, and at most
   * `pageBytes` of data (one message at least); `more` says the page stopped before the end.
   */
  read(group: string, since?: number, limit = Infinity, pageBytes = HISTORY_PAGE_BYTES): HistorySlice {
    const log = this.#groups.get(group);
    // Reading never creates a group: a client naming groups at will must not cost memory. Epoch "" matches no position.
    if (!log) return { epoch: "", offset: 0, messages: [], complete: false };
    this.#dropOld(log, this.rules.of(group).ttlMs, Date.now());
    const oldest = log.entries[log.start]?.offset ?? log.offset + 1;
    const complete = since !== undefined && since <= log.offset && since >= oldest - 1;
    const messages: [number, WireData][] = [];
    let bytes = 0;
    let i = since === undefined ? log.start : this.#firstAfter(log, since);
    for (; i < log.entries.length && messages.length < limit; i++) {
      const entry = log.entries[i]!;
      if (messages.length > 0 && bytes + entry.bytes > pageBytes) break;
      messages.push([entry.offset, entry.data]);
      bytes += entry.bytes;
    }
    return { epoch: log.epoch, offset: log.offset, messages, complete, ...(i < log.entries.length ? { more: true } : {}) };
  }

  stop(): void {
    clearInterval(this.#sweep);
  }

  /** Kept messages across all groups (for status and the bench). */
  get size(): number {
    return this.#totalEntries;
  }

  /** Bytes kept across all groups (bounded by channel.history.maxTotalBytes). */
  get bytes(): number {
    return this.#totalBytes;
  }

  #log(group: string): GroupLog {
    let log = this.#groups.get(group);
    if (!log) this.#groups.set(group, (log = { group, epoch: newEpoch(), offset: 0, entries: [], start: 0, lastAt: Date.now(), bytes: 0 }));
    return log;
  }

  /** The index of the first live entry whose offset is above `since` (offsets rise, with holes). */
  #firstAfter(log: GroupLog, since: number): number {
    let low = log.start;
    let high = log.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (log.entries[mid]!.offset <= since) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #dropHead(log: GroupLog): void {
    const entry = log.entries[log.start++]!;
    // The dead head stays in the array until the next compaction: its data must not (1,024 dead 1 MB entries were 1 GB).
    entry.data = "";
    released.release(entry.bytes);
    log.bytes -= entry.bytes;
    this.#totalBytes -= entry.bytes;
    this.#totalEntries--;
    if (log.start === log.entries.length) {
      log.entries = [];
      log.start = 0;
    }
  }

  /** Drops the oldest kept message of the app; false when none is left. */
  #evictOldest(): boolean {
    while (this.#orderStart < this.#order.length) {
      const ref = this.#order[this.#orderStart++]!;
      // Append order is each group's order too: the oldest live ref is its group's head (dead refs are skipped).
      if (this.#isLive(ref)) {
        this.#dropHead(ref.log);
        return true;
      }
    }
    return false;
  }

  #isLive(ref: Ref): boolean {
    const { log } = ref;
    return this.#groups.get(log.group) === log && log.start < log.entries.length && ref.offset >= log.entries[log.start]!.offset;
  }

  #compactOrder(): void {
    this.#order = this.#order.slice(this.#orderStart).filter((ref) => this.#isLive(ref));
    this.#orderStart = 0;
  }

  #dropOld(log: GroupLog, ttlMs: number, now: number): void {
    while (log.start < log.entries.length && log.entries[log.start]!.at < now - ttlMs) this.#dropHead(log);
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
    this.#compactOrder();
  }
}

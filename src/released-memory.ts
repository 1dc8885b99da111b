// Frees what a byte bound let go: buffers nobody else views at once, the rest by a full collection, which also returns the allocator's freed pages.

/** Below this a buffer is left to the collector: the young generation takes small ones soon enough. */
export const BIG_BUFFER = 64 * 1024;

/** Bytes releaseBuffer freed since the last collectNow. */
let freed = 0;

/**
 * Gives a buffer's memory back to the allocator now, for the next allocation to reuse, not at the next collection
 * (measured: 200 MB of 4 MiB buffers detached left RSS within 200 ms with no collection; dropped, they stayed until
 * a full one). Only for a buffer whose ArrayBuffer nobody else views (the caller's promise): one that shares it
 * (a slice of a pool), is smaller than `atLeast`, or cannot be detached is left to the collector. True when freed.
 */
export function releaseBuffer(bytes: Uint8Array, atLeast = BIG_BUFFER): boolean {
  const buffer = bytes.buffer;
  const size = bytes.byteLength;
  if (size < atLeast || size === 0 || bytes.byteOffset !== 0 || buffer.byteLength !== size || !(buffer instanceof ArrayBuffer)) return false;
  try {
    buffer.transfer(0);
  } catch {
    return false; // not detachable (a wasm memory, say)
  }
  freed += size;
  return true;
}

/**
 * What releaseBuffer freed since the last full collection: the allocator (mimalloc, 100 ms purge delay) keeps freed
 * pages a while before giving them back to the system, so they are still resident, and under a flood of mixed sizes
 * it reused too few of them (a text flood measured ~60 MiB of them above the input it held).
 */
export function freedSinceCollection(): number {
  return freed;
}

/** One full collection, which also makes the allocator give back the pages it keeps (Bun.gc(true) does both at once). */
export function collectNow(): void {
  freed = 0;
  Bun.gc(true);
}

/**
 * A bound that drops buffers (history trimmed, input shed) keeps the process small only once the collector runs, and
 * left to itself it let a master with an 8 MiB history of 1 MB messages reach +145 MiB. A full collection of a small
 * heap costs a few milliseconds: after every `thresholdBytes` released, at most once per `everyMs`.
 */
export class ReleasedMemory {
  #released = 0;
  #collectedAt = 0;

  constructor(
    private readonly thresholdBytes: number,
    private readonly everyMs: number,
  ) {}

  release(bytes: number): void {
    this.#released += bytes;
    if (this.#released < this.thresholdBytes) return;
    const now = performance.now();
    if (now - this.#collectedAt < this.everyMs) return;
    this.#collectedAt = now;
    this.#released = 0;
    collectNow();
  }
}

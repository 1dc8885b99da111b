// Frees what a byte bound let go: past a threshold of released bytes, one full collection, at most every so often.

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
    Bun.gc(true);
  }
}

// Event-loop lag: how late a 100 ms timer fires, the largest delay kept until the next stats report takes it.

const TICK_MS = 100;

export class LoopLag {
  #maxMs = 0;
  #dueAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  start(): void {
    this.#schedule();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#dueAt = performance.now() + TICK_MS;
    this.#timer = setTimeout(() => {
      this.#note(performance.now() - this.#dueAt);
      this.#schedule();
    }, TICK_MS);
    // The worker exits when told to; this timer must not be what keeps it alive.
    this.#timer.unref?.();
  }

  #note(lateMs: number): void {
    if (lateMs > this.#maxMs) this.#maxMs = lateMs;
  }

  /**
   * The largest delay since the last call, in seconds. A tick still waiting counts too: after a long block the stats
   * timer may fire before the lag timer does, and the block must show in this report, not the next.
   */
  take(): number {
    if (this.#timer !== undefined) this.#note(performance.now() - this.#dueAt);
    const lag = this.#maxMs;
    this.#maxMs = 0;
    return Math.max(0, lag) / 1000;
  }
}

// Event-loop lag: how late a 100 ms timer fires, the largest delay kept until the next stats report takes it.

const TICK_MS = 100;

export class LoopLag {
  #maxMs = 0;
  #dueAt = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  start(): void {
    this.#dueAt = performance.now() + TICK_MS;
    // One interval, not a timeout made again each tick: the same timer object all along.
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.#note(now - this.#dueAt);
      this.#dueAt = now + TICK_MS;
    }, TICK_MS);
    // The worker exits when told to; this timer must not be what keeps it alive.
    this.#timer.unref?.();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
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

// Restart delays for a worker that keeps crashing: 100 ms doubling to 10 s, forgiven after a healthy minute.
export const BACKOFF = {
  firstMs: 100,
  maxMs: 10_000,
  /** A process that lived this long before exiting counts as healthy: its next restart is immediate-ish again. */
  healthyMs: 60_000,
  /** This many quick exits in a row is a crash loop. */
  crashLoopAfter: 3,
} as const;

export class Backoff {
  /** Quick exits in a row. */
  crashes = 0;

  /** Records an exit after `uptimeMs` of life and returns how long to wait before the next start. */
  next(uptimeMs: number): number {
    this.crashes = uptimeMs >= BACKOFF.healthyMs ? 1 : this.crashes + 1;
    return Math.min(BACKOFF.maxMs, BACKOFF.firstMs * 2 ** (this.crashes - 1));
  }

  get crashLooping(): boolean {
    return this.crashes >= BACKOFF.crashLoopAfter;
  }

  reset(): void {
    this.crashes = 0;
  }
}

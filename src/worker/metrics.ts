// worker.metrics: named numbers a handler keeps (per-route counts, timings), sent to the master with the stats.
import type { Metrics } from "./types.ts";

export class MetricsRegistry implements Metrics {
  readonly #values = new Map<string, number>();

  set(name: string, value: number): void {
    // A NaN or Infinity would not survive JSON on its way to the master.
    if (!Number.isFinite(value)) throw new RangeError(`metric ${name}: ${value} is not a finite number`);
    this.#values.set(name, value);
  }

  inc(name: string, by = 1): void {
    this.set(name, (this.#values.get(name) ?? 0) + by);
  }

  get(name: string): number | undefined {
    return this.#values.get(name);
  }

  /** A plain object for IPC, or undefined when the handler never set a metric (keeps stats messages small). */
  snapshot(): Record<string, number> | undefined {
    return this.#values.size === 0 ? undefined : Object.fromEntries(this.#values);
  }
}

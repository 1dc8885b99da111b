// worker.metrics: named numbers and histograms a handler keeps (per-route counts, timings), sent to the master with the stats.
import { Histogram } from "../latency-histogram.ts";
import type { ReportedHistogram } from "../ipc.ts";
import type { Metrics } from "./types.ts";

/** Names a process may set (set/inc) and observe: each is a series in /metrics, so a name made from user input must not grow them without end. */
export const MAX_METRIC_NAMES = 64;
export const MAX_OBSERVED_NAMES = 16;

export class MetricsRegistry implements Metrics {
  readonly #values = new Map<string, number>();
  readonly #histograms = new Map<string, Histogram>();
  #refused = 0;
  #warned = false;

  set(name: string, value: number): void {
    // A NaN or Infinity would not survive JSON on its way to the master.
    if (!Number.isFinite(value)) throw new RangeError(`metric ${name}: ${value} is not a finite number`);
    if (!this.#values.has(name) && this.#values.size >= MAX_METRIC_NAMES) return this.#refuse(name, "values", MAX_METRIC_NAMES);
    this.#values.set(name, value);
  }

  inc(name: string, by = 1): void {
    this.set(name, (this.#values.get(name) ?? 0) + by);
  }

  get(name: string): number | undefined {
    return this.#values.get(name);
  }

  observe(name: string, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`metric ${name}: observe() takes seconds >= 0, got ${seconds}`);
    let histogram = this.#histograms.get(name);
    if (histogram === undefined) {
      if (this.#histograms.size >= MAX_OBSERVED_NAMES) return this.#refuse(name, "histograms", MAX_OBSERVED_NAMES);
      histogram = new Histogram();
      this.#histograms.set(name, histogram);
    }
    histogram.observe(seconds);
  }

  /** Calls refused for a new name past a cap, since start. */
  get refused(): number {
    return this.#refused;
  }

  #refuse(name: string, kind: string, cap: number): void {
    this.#refused++;
    if (this.#warned) return;
    this.#warned = true;
    // Once per process: the count goes on in workerman_app_metrics_refused_total.
    console.error(`worker.metrics: "${name}" refused, this process already keeps ${cap} ${kind} (the cap); use fewer names (not names made from user input)`);
  }

  /** A plain object for IPC, or undefined when the handler never set a metric (keeps stats messages small). */
  snapshot(): Record<string, number> | undefined {
    return this.#values.size === 0 ? undefined : Object.fromEntries(this.#values);
  }

  /** The observed histograms for IPC (call once per stats report: it moves their recent window on). */
  reportHistograms(): Record<string, ReportedHistogram> | undefined {
    if (this.#histograms.size === 0) return undefined;
    return Object.fromEntries([...this.#histograms].map(([name, h]) => [name, h.report()]));
  }
}

// Fixed-bucket histograms of seconds: counted in the workers, summed by the master, estimated into p50/p99 and rendered for Prometheus.

/** Upper bounds in seconds, 0.5 ms to 10 s; one more count past the last is the +Inf bucket. */
export const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Per-bucket counts (not cumulative; the last is +Inf) and the sum of what was observed, as sent over IPC. */
export interface HistogramCounts {
  counts: number[];
  sum: number;
}

/** How many past stats reports (one a second) the recent window spans: p50/p99 are over about the last 10 s. */
export const RECENT_REPORTS = 10;

export class Histogram {
  readonly counts: number[] = new Array(BUCKETS.length + 1).fill(0);
  sum = 0;
  /** Copies of `counts` at the last RECENT_REPORTS reports, oldest first (zeros stand for the start). */
  readonly #past: number[][] = [emptyCounts()];

  observe(seconds: number): void {
    // Most observations land in the first buckets: a scan from the bottom is a comparison or two.
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
  }

  /** The totals, and what was counted since about RECENT_REPORTS reports ago (call once per report). */
  report(): HistogramCounts & { recent: number[] } {
    const counts = this.counts.slice();
    const oldest = this.#past[0]!;
    const recent = counts.map((n, i) => n - oldest[i]!);
    this.#past.push(counts);
    if (this.#past.length > RECENT_REPORTS) this.#past.shift();
    return { counts, sum: this.sum, recent };
  }
}

export function emptyCounts(): number[] {
  return new Array(BUCKETS.length + 1).fill(0);
}

/** Adds `from` into `into`, bucket by bucket (arrays of a worker of another version may be shorter: missing is 0). */
export function addCounts(into: number[], from: readonly number[] | undefined): number[] {
  if (from) for (let i = 0; i < into.length; i++) into[i]! += from[i] ?? 0;
  return into;
}

/**
 * The q-quantile estimated from per-bucket counts as Prometheus' histogram_quantile does (linear within the bucket;
 * the +Inf bucket answers the last finite bound); null when nothing was counted.
 */
export function quantile(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    if (seen + n >= rank && n > 0) {
      if (i >= BUCKETS.length) return BUCKETS[BUCKETS.length - 1]!;
      const lower = i === 0 ? 0 : BUCKETS[i - 1]!;
      return lower + (BUCKETS[i]! - lower) * ((rank - seen) / n);
    }
    seen += n;
  }
  return BUCKETS[BUCKETS.length - 1]!;
}

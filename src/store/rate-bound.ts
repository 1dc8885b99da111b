// Bounds what a stranger can make us record: counts everything, keeps a fixed number per kind (and in all) each window, and summarizes the rest.

export interface RateBoundOptions {
  /** The window the budgets apply to; summaries are emitted when it ends. */
  windowMs: number;
  /** Items of one kind kept in full per window. */
  perKind: number;
  /** Items kept in full per window over all kinds: many kinds (many source addresses) cannot add up past this. */
  total: number;
  /** Kinds tracked per window; further kinds share one catch-all entry, so memory stays fixed too. */
  maxKinds: number;
  /** Summaries per window; past this the remaining kinds are folded into one. */
  maxSummaries: number;
}

export const DEFAULT_BOUND: RateBoundOptions = { windowMs: 60_000, perKind: 5, total: 50, maxKinds: 500, maxSummaries: 20 };

/** "count more like `sample` in the last window": what replaces the items that were not kept. */
export interface Suppressed<T> {
  family: string;
  /** The kind's key; "*" for the catch-all (several kinds, `kinds` of them). */
  key: string;
  count: number;
  kinds: number;
  /** The first item of that kind in the window (undefined for the catch-all). */
  sample: T | undefined;
  windowMs: number;
}

export interface FamilyCount {
  /** Every item offered, kept or not. */
  seen: number;
  /** Items that were counted but not kept (reported only in summaries). */
  suppressed: number;
}

interface KindState<T> {
  kept: number;
  suppressed: number;
  family: string;
  sample: T;
}

const OTHER = "*";

export class RateBound<T> {
  readonly #counts = new Map<string, FamilyCount>();
  #kinds = new Map<string, KindState<T>>();
  #keptInWindow = 0;
  /** Items of kinds past maxKinds, by family (no sample: that is what keeps the memory fixed). */
  #overflow = new Map<string, number>();

  constructor(
    private readonly options: RateBoundOptions,
    private readonly onSummary: (summary: Suppressed<T>) => void,
  ) {}

  /** Counts the item; true when it may be recorded in full, false when only a later summary will mention it. */
  admit(family: string, key: string, item: T): boolean {
    const count = this.#counts.get(family) ?? { seen: 0, suppressed: 0 };
    this.#counts.set(family, count);
    count.seen++;
    const id = `${family}\0${key}`;
    let kind = this.#kinds.get(id);
    if (!kind) {
      if (this.#kinds.size >= this.options.maxKinds) {
        count.suppressed++;
        this.#overflow.set(family, (this.#overflow.get(family) ?? 0) + 1);
        return false;
      }
      this.#kinds.set(id, (kind = { kept: 0, suppressed: 0, family, sample: item }));
    }
    if (kind.kept < this.options.perKind && this.#keptInWindow < this.options.total) {
      kind.kept++;
      this.#keptInWindow++;
      return true;
    }
    kind.suppressed++;
    count.suppressed++;
    return false;
  }

  /** Totals per family since the start: these count everything, whatever was kept. */
  counts(): Map<string, FamilyCount> {
    return new Map([...this.#counts].map(([family, c]) => [family, { ...c }]));
  }

  /** Ends the window: one summary per kind that lost items (at most maxSummaries, then one for the rest), then a fresh budget. */
  flush(): void {
    const { windowMs, maxSummaries } = this.options;
    const summaries: Suppressed<T>[] = [];
    const rest = new Map(this.#overflow);
    const restKinds = new Map<string, number>();
    for (const [id, kind] of this.#kinds) {
      if (kind.suppressed === 0) continue;
      if (summaries.length < maxSummaries) {
        summaries.push({ family: kind.family, key: id.slice(kind.family.length + 1), count: kind.suppressed, kinds: 1, sample: kind.sample, windowMs });
      } else {
        rest.set(kind.family, (rest.get(kind.family) ?? 0) + kind.suppressed);
        restKinds.set(kind.family, (restKinds.get(kind.family) ?? 0) + 1);
      }
    }
    for (const [family, count] of rest) {
      summaries.push({ family, key: OTHER, count, kinds: restKinds.get(family) ?? 0, sample: undefined, windowMs });
    }
    this.#kinds = new Map();
    this.#overflow = new Map();
    this.#keptInWindow = 0;
    for (const summary of summaries) {
      try {
        this.onSummary(summary);
      } catch {
        // a failing sink must not keep the next window's budget from resetting
      }
    }
  }
}

/** A RateBound whose windows end on a timer; stop() reports what the last window held back. */
export function timedBound<T>(options: RateBoundOptions, onSummary: (summary: Suppressed<T>) => void): RateBound<T> & { stop: () => void } {
  const bound = new RateBound<T>(options, onSummary);
  const timer = setInterval(() => bound.flush(), options.windowMs);
  timer.unref?.();
  return Object.assign(bound, {
    stop: () => {
      clearInterval(timer);
      bound.flush();
    },
  });
}

/** "1 more like this", "20,000 more like this": the sentence every summary uses, in events and log lines alike. */
export function moreLikeThis(count: number, windowMs: number): string {
  const span = windowMs % 60_000 === 0 ? (windowMs === 60_000 ? "minute" : `${windowMs / 60_000} minutes`) : `${Math.round(windowMs / 1000)} s`;
  return `${count.toLocaleString("en-US")} more like this in the last ${span}`;
}

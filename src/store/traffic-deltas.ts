// Turns each group's counters since the master started into its counts for one recorder interval, never negative.

/**
 * One group at a tick: what it counted since the master started, its exited processes' last reports included (the
 * master keeps them: a worker that restarts or drains and exits between two ticks loses nothing).
 */
export interface TrafficInput {
  group: string;
  /** Responses by status code (http groups; {} otherwise). */
  responses: Record<string, number>;
  handlerErrors: number;
  /** http groups: the duration histogram's per-bucket counts; null for other schemes. */
  buckets: readonly number[] | null;
}

/** Status classes kept, in column order (r2xx..r5xx); 1xx and the "other" code past the label cap are not classed. */
export const CODE_CLASSES = ["2xx", "3xx", "4xx", "5xx"] as const;

/** What one group counted over `spanMs`: the row the store keeps per group and tick. */
export interface GroupSample {
  group: string;
  spanMs: number;
  handlerErrors: number;
  /** Responses by class (CODE_CLASSES order); null: no http process in the group. */
  codes: number[] | null;
  /** Per-bucket counts of the interval; null: no http process in the group. */
  buckets: number[] | null;
}

interface Snapshot {
  codes: number[];
  handlerErrors: number;
  buckets: readonly number[] | null;
}

function classCounts(responses: Record<string, number>): number[] {
  const out = [0, 0, 0, 0];
  for (const [code, n] of Object.entries(responses)) {
    const i = code.length === 3 ? Number(code[0]) - 2 : -1;
    if (i >= 0 && i < out.length) out[i]! += n;
  }
  return out;
}

function snapshotOf(p: TrafficInput): Snapshot {
  return { codes: classCounts(p.responses), handlerErrors: p.handlerErrors, buckets: p.buckets };
}

const ZERO: Snapshot = { codes: [0, 0, 0, 0], handlerErrors: 0, buckets: null };

/** A counter that went back means the counting started again (a process behind a reused pid): all of it is new. */
function wentBack(now: Snapshot, before: Snapshot): boolean {
  if (now.handlerErrors < before.handlerErrors || now.codes.some((n, i) => n < before.codes[i]!)) return true;
  return !!now.buckets && !!before.buckets && now.buckets.some((n, i) => n < (before.buckets![i] ?? 0));
}

function minus(now: readonly number[], before: readonly number[] | null): number[] {
  return now.map((n, i) => n - (before?.[i] ?? 0));
}

/**
 * Keeps each group's last counters. A group seen for the first time is counted from zero (the master's totals start
 * with it). Counters that go back (totals restarted) count as new, so a difference is never negative.
 */
export class TrafficDeltas {
  #last = new Map<string, Snapshot>();

  /** `startedAt`: when the master started (the first interval runs from there). */
  constructor(private lastAt: number) {}

  /** The groups' counts since the previous call; none if the clock went back (the next call counts from this one). */
  next(at: number, groups: readonly TrafficInput[]): GroupSample[] {
    const spanMs = at - this.lastAt;
    const before = this.#last;
    this.#last = new Map(groups.map((g) => [g.group, snapshotOf(g)]));
    this.lastAt = at;
    if (spanMs <= 0) return [];
    return groups.map((g) => {
      const now = this.#last.get(g.group)!;
      let prev = before.get(g.group) ?? ZERO;
      if (wentBack(now, prev)) prev = ZERO;
      const http = now.buckets !== null;
      return {
        group: g.group,
        spanMs,
        handlerErrors: now.handlerErrors - prev.handlerErrors,
        codes: http ? minus(now.codes, prev.codes) : null,
        buckets: http ? minus(now.buckets!, prev.buckets) : null,
      };
    });
  }
}

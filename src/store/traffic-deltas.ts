// Turns each process's counters since start into each group's counts for one recorder interval, across restarts and resets.

/** One process at a tick: its counters since it started, as the master last heard them. */
export interface TrafficInput {
  pid: number;
  group: string;
  /** Responses by status code since start (http groups; {} otherwise). */
  responses: Record<string, number>;
  handlerErrors: number;
  /** http groups: the duration histogram's per-bucket counts since start; null for other schemes. */
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

function addInto(into: number[] | null, from: readonly number[]): number[] {
  const sum = into ?? new Array<number>(from.length).fill(0);
  from.forEach((n, i) => (sum[i] = (sum[i] ?? 0) + n));
  return sum;
}

/**
 * Keeps each live pid's last counters. A pid seen for the first time is counted from zero: every worker starts after
 * the master whose recorder this is, so all it counted is new. One that left is forgotten (its last partial second is
 * lost, never counted twice). Counts never go negative, and a restart shows as the new process's own counts, not a jump.
 */
export class TrafficDeltas {
  #last = new Map<number, Snapshot>();

  /** `startedAt`: when the master started (the first interval runs from there). */
  constructor(private lastAt: number) {}

  /** The groups' counts since the previous call; none if the clock went back (the next call counts from this one). */
  next(at: number, processes: readonly TrafficInput[]): GroupSample[] {
    const spanMs = at - this.lastAt;
    const before = this.#last;
    this.#last = new Map(processes.map((p) => [p.pid, snapshotOf(p)]));
    this.lastAt = at;
    if (spanMs <= 0) return [];
    const groups = new Map<string, GroupSample>();
    for (const p of processes) {
      const now = this.#last.get(p.pid)!;
      let prev = before.get(p.pid) ?? ZERO;
      if (wentBack(now, prev)) prev = ZERO;
      let g = groups.get(p.group);
      if (!g) groups.set(p.group, (g = { group: p.group, spanMs, handlerErrors: 0, codes: null, buckets: null }));
      g.handlerErrors += now.handlerErrors - prev.handlerErrors;
      if (now.buckets) {
        g.codes = addInto(g.codes, minus(now.codes, prev.codes));
        g.buckets = addInto(g.buckets, minus(now.buckets, prev.buckets));
      }
    }
    return [...groups.values()];
  }
}

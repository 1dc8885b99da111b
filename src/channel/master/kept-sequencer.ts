// Keeps the kept messages an instance hands its workers gap-free: a jump in offsets is filled from the history first.
import type { Delivery, HistorySlice } from "../protocol.ts";

type Kept = Extract<Delivery, { op: "kept" }>;

interface GroupState {
  epoch: string;
  offset: number;
  /** Messages that arrived while a gap is being read from the history; null when none is. */
  held: Kept[] | null;
  seenAt: number;
}

const FORGET_MS = 10 * 60_000;

/**
 * Redis pub/sub delivers at most once: a subscriber that was cut off (a Redis blip, an output buffer limit) misses
 * messages silently. Every kept message carries its offset, so a jump is visible here: the missing ones are read
 * from the stream and delivered before the rest, in order. What the history no longer holds is skipped (the
 * clients' next recover() says so).
 */
export class KeptSequencer {
  readonly #groups = new Map<string, GroupState>();

  constructor(
    private readonly readGap: (group: string, since: number) => Promise<HistorySlice | null>,
    private readonly emit: (kept: Kept) => void,
  ) {}

  accept(kept: Kept): void {
    const now = Date.now();
    const state = this.#groups.get(kept.group);
    if (state?.held) {
      state.seenAt = now;
      return void state.held.push(kept);
    }
    if (!state || state.epoch !== kept.epoch) {
      // First sight of this group, or a new epoch: nothing before it can be asked for.
      this.#groups.set(kept.group, { epoch: kept.epoch, offset: kept.offset, held: null, seenAt: now });
      return this.emit(kept);
    }
    state.seenAt = now;
    if (kept.offset <= state.offset) return; // a duplicate
    if (kept.offset === state.offset + 1) {
      state.offset = kept.offset;
      return this.emit(kept);
    }
    state.held = [kept];
    void this.#fill(kept.group, state);
    if (this.#groups.size > 1000) this.#forget(now);
  }

  async #fill(group: string, state: GroupState): Promise<void> {
    const firstHeld = state.held![0]!.offset;
    // Page by page (the history answers in bounded pages), until the gap is closed or the history has no more.
    for (;;) {
      const slice = await this.readGap(group, state.offset).catch(() => null);
      if (!slice || slice.epoch !== state.epoch) break;
      const before = state.offset;
      for (const [offset, data] of slice.messages) {
        if (offset <= state.offset || offset >= firstHeld) continue;
        state.offset = offset;
        this.emit({ op: "kept", group, offset, epoch: state.epoch, data });
      }
      if (!slice.more || state.offset === before || state.offset >= firstHeld - 1) break;
    }
    const held = state.held ?? [];
    state.held = null;
    for (const kept of held) {
      if (kept.epoch !== state.epoch) {
        state.epoch = kept.epoch;
        state.offset = kept.offset;
        this.emit(kept);
      } else if (kept.offset > state.offset) {
        state.offset = kept.offset;
        this.emit(kept);
      }
    }
  }

  #forget(now: number): void {
    for (const [group, state] of this.#groups) if (!state.held && now - state.seenAt > FORGET_MS) this.#groups.delete(group);
  }
}

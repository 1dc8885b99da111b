// The simulation's clock: timers in a list moved by hand, which can say whether a timer is still pending and keeps what a timer callback threw.
import type { Clock } from "../../src/master/clock.ts";

/** One macrotask turn: every promise reaction the last event queued runs before this resolves (nothing here uses real timers). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Timer {
  at: number;
  fn: () => void;
  id: number;
}

export class SimClock implements Clock {
  time = 1_000_000;
  /** What timer callbacks threw (in the real master an uncaught throw in a timer takes the process down). */
  readonly thrown: unknown[] = [];
  #timers: Timer[] = [];
  #nextId = 1;

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    const timer = { at: this.time + Math.max(0, ms), fn, id };
    // Kept sorted by due time, ties in the order they were set (as real timers fire).
    let i = this.#timers.length;
    while (i > 0 && this.#timers[i - 1]!.at > timer.at) i--;
    this.#timers.splice(i, 0, timer);
    return id;
  }

  clearTimeout(handle: unknown): void {
    const i = this.#timers.findIndex((t) => t.id === handle);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  pending(handle: unknown): boolean {
    return handle !== undefined && this.#timers.some((t) => t.id === handle);
  }

  /** Moves time forward, firing due timers in order and letting their consequences run after each. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    while (this.#timers.length && this.#timers[0]!.at <= target) {
      const due = this.#timers.shift()!;
      this.time = due.at;
      try {
        due.fn();
      } catch (err) {
        this.thrown.push(err);
      }
      await settle();
    }
    this.time = target;
    await settle();
  }

  /** Fires timers one at a time until `done()` or `limitMs` passed; true when done. */
  async until(done: () => boolean, limitMs: number): Promise<boolean> {
    const end = this.time + limitMs;
    while (!done()) {
      const next = this.#timers[0]?.at;
      if (next === undefined || next > end) {
        await this.advance(Math.max(0, end - this.time));
        return done();
      }
      await this.advance(next - this.time);
    }
    return true;
  }
}

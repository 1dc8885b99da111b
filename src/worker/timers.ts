// Workerman's Timer: named, listable interval and one-shot timers whose errors are reported, not fatal.
import type { TimerInfo } from "../ipc.ts";
import type { TimerOptions, Timers } from "./types.ts";

interface TimerEntry extends TimerInfo {
  handle: ReturnType<typeof setInterval>;
}

export class TimerRegistry implements Timers {
  #next = 1;
  #timers = new Map<number, TimerEntry>();

  constructor(private readonly onError: (err: unknown) => void) {}

  add(seconds: number, fn: () => unknown, options: TimerOptions = {}): number {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`timer interval must be >= 0 seconds, got ${seconds}`);
    const id = this.#next++;
    const persistent = options.persistent ?? true;
    const intervalMs = Math.max(1, Math.round(seconds * 1000));
    const run = () => {
      const entry = this.#timers.get(id);
      if (!entry) return;
      entry.runs++;
      if (persistent) entry.nextAt = Date.now() + intervalMs;
      else this.#timers.delete(id);
      try {
        const result = fn();
        if (result instanceof Promise) result.catch(this.onError);
      } catch (err) {
        this.onError(err);
      }
    };
    const handle = persistent ? setInterval(run, intervalMs) : setTimeout(run, intervalMs);
    this.#timers.set(id, { id, intervalMs, persistent, runs: 0, nextAt: Date.now() + intervalMs, handle });
    return id;
  }

  del(id: number): boolean {
    const entry = this.#timers.get(id);
    if (!entry) return false;
    clearInterval(entry.handle);
    clearTimeout(entry.handle);
    return this.#timers.delete(id);
  }

  delAll(): void {
    for (const id of [...this.#timers.keys()]) this.del(id);
  }

  get size(): number {
    return this.#timers.size;
  }

  list(): TimerInfo[] {
    return [...this.#timers.values()].map(({ handle: _handle, ...info }) => info);
  }
}

// The one door supervisor events pass on their way to the store, the log and the live feed: repeated kinds are kept at a bounded rate.
import { DEFAULT_BOUND, moreLikeThis, timedBound, type FamilyCount, type RateBoundOptions } from "../store/rate-bound.ts";
import { boundedKind, type EventListener, type SupervisorEvent } from "./events.ts";

export interface EventSourceLike {
  on: (listener: EventListener) => () => void;
}

/**
 * Every consumer subscribes here instead of on the supervisor, so a handler that throws on every request costs at
 * most `perKind` stored rows, log entries and feed messages per kind per minute (and `total` over all kinds), plus
 * one "N more like this" summary; the counters still see every event.
 */
export class EventGate {
  readonly #listeners = new Set<EventListener>();
  readonly #bound;
  readonly #unsubscribe: () => void;
  #consumerFailed = false;

  constructor(source: EventSourceLike, options: RateBoundOptions = DEFAULT_BOUND) {
    this.#bound = timedBound<SupervisorEvent>(options, (s) => {
      const sample = s.sample?.type === "handler-error" ? s.sample : undefined;
      const like = sample ? `${sample.callback} threw: ${sample.message}` : `${s.kinds} other kinds of ${s.family}`;
      this.#emit({
        type: "events-suppressed",
        event: s.family,
        group: sample?.group,
        like,
        count: s.count,
        kinds: s.kinds,
        seconds: s.windowMs / 1000,
      });
    });
    this.#unsubscribe = source.on((event) => this.#receive(event));
  }

  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Every bounded event seen since the start, by type, and how many of them only a summary mentions. */
  counts(): Map<string, FamilyCount> {
    return this.#bound.counts();
  }

  /** Reports what the current window held back, then detaches. */
  stop(): void {
    this.#bound.stop();
    this.#unsubscribe();
  }

  #receive(event: SupervisorEvent): void {
    const kind = boundedKind(event);
    if (kind === null || this.#bound.admit(event.type, kind, event)) this.#emit(event);
  }

  #emit(event: SupervisorEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        // One failing consumer must not keep the event from the others; said once, or it would flood the log itself.
        if (!this.#consumerFailed) console.error(`an event consumer failed on ${event.type}: ${(err as Error).message}`);
        this.#consumerFailed = true;
      }
    }
  }
}

/** The sentence the log and the dashboard show for a summary. */
export function suppressedText(event: Extract<SupervisorEvent, { type: "events-suppressed" }>): string {
  return `${moreLikeThis(event.count, event.seconds * 1000)}: ${event.like}`;
}

// The live event feed behind GET /api/events: supervisor events, admin actions and a stats tick each second, fanned out to subscribers.
import type { SupervisorEvent } from "../master/events.ts";
import type { LiveEvent, StatusProcess } from "./contract.ts";

export type LiveListener = (event: LiveEvent) => void;

export class LiveFeed {
  readonly #listeners = new Set<LiveListener>();
  /** Clients dropped for not reading (their queue passed its cap). */
  dropped = 0;

  get subscribers(): number {
    return this.#listeners.size;
  }

  subscribe(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(event: LiveEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // one broken subscriber (a closed stream) must not starve the others
      }
    }
  }
}

export interface FeedSource {
  subscribe: (listener: (event: SupervisorEvent) => void) => () => void;
  processes: () => StatusProcess[];
}

/** Connects the feed to the master: every supervisor event as it happens, and the process table once a second. */
export function feedFromMaster(feed: LiveFeed, source: FeedSource, tickMs = 1000): () => void {
  const unsubscribe = source.subscribe((event) => {
    const crashed = event.type === "process-exited" ? { crashed: !event.expected } : {};
    feed.publish({ ...event, ...crashed, at: Date.now() });
  });
  const timer = setInterval(() => {
    // Nobody listening: skip building the table.
    if (feed.subscribers === 0) return;
    const processes = source.processes().map(({ pid, group, index, generation, state, connections, requests, qps, rssBytes, cpuPercent }) => ({
      pid,
      group,
      index,
      generation,
      state,
      connections,
      requests,
      qps,
      rssBytes,
      cpuPercent,
    }));
    feed.publish({ type: "stats", at: Date.now(), processes });
  }, tickMs);
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}

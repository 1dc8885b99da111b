// The live event feed behind GET /api/events: supervisor events, admin actions and a stats tick each second, fanned out to subscribers.
import type { SupervisorEvent } from "../master/events.ts";
import type { LiveEvent, StatsTick, StatusResponse } from "./contract.ts";

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
  /** The status the tick is cut from, as /api/status answers it (the whole status read is cheap next to a second's traffic). */
  status: () => TickSource;
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
    feed.publish({ type: "stats", ...statsTick(source.status()) });
  }, tickMs);
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}

/**
 * The figures the dashboard moves every second. Errors, latency and lag ride along (a few numbers a process) so the
 * Workers view needs no status reads; so do the master's link, store and IPC facts (a few small objects). App metrics and
 * bytes do not (a handler may keep many metrics; the App metrics panel reads the status while it shows).
 */
type TickSource = Pick<StatusResponse, "processes" | "groups"> & Partial<Pick<StatusResponse, "master" | "cluster" | "ipc">>;

export function statsTick(status: TickSource, at = Date.now()): StatsTick {
  const processes = status.processes.map(
    ({ pid, group, index, generation, state, connections, requests, qps, rssBytes, cpuPercent, timers, errors, latency, eventLoopLagSeconds }) => ({
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
      timers,
      errors: { ...errors },
      latency: { ...latency },
      eventLoopLagSeconds,
    }),
  );
  const groups = status.groups.map(({ name, requests, errors, latency, eventLoopLagSeconds, responses }) => ({
    name,
    requests,
    errors: { ...errors },
    latency: { ...latency },
    eventLoopLagSeconds,
    responses: { ...responses },
  }));
  // A few small objects: sent each second, so a reader that joined at any time follows them without reading the status.
  const master = status.master && { cluster: status.cluster ?? null, storeError: status.master.storeError ?? null, ...(status.ipc ? { ipc: status.ipc } : {}) };
  return { at, processes, groups, ...(master ? { master } : {}) };
}

// Turns the Redis link's state into the cluster-lost / cluster-rejoined events and the status line's "since when".
import type { ClusterEvent } from "../cluster/cluster-records.ts";

export interface LinkFacts {
  connected: boolean;
  reconnects: number;
  lastError: string | null;
}

export interface LinkWatchOptions {
  /** The link as it is now (null: no cluster). */
  read: () => LinkFacts | null;
  /** What the last rejoin rewrote into Redis. */
  resynced: () => Extract<ClusterEvent, { type: "cluster-rejoined" }>["resynced"];
  /** Live instances last counted (the cluster-lost event says how many were there). */
  instances: () => number | null;
  emit: (event: ClusterEvent) => void;
  now?: () => number;
}

/**
 * Polled, not hooked into the link: the link's own code stays the channel's, and a loss and a rejoin between two
 * polls still show, through the reconnect counter.
 */
export class LinkWatch {
  #connected = false;
  #everUp = false;
  #reconnects = 0;
  #since: number;
  readonly #now: () => number;

  constructor(private readonly options: LinkWatchOptions) {
    this.#now = options.now ?? Date.now;
    this.#since = this.#now();
  }

  /** While disconnected: since when (the watch's start if the link never came up); null while connected. */
  get disconnectedSince(): number | null {
    return this.#connected ? null : this.#since;
  }

  tick(): void {
    const facts = this.options.read();
    if (!facts) return;
    const now = this.#now();
    if (facts.connected && !this.#connected) {
      // The first connection is a join, not a rejoin.
      if (this.#everUp) this.#rejoined(now);
      this.#everUp = true;
    } else if (!facts.connected && this.#connected) {
      this.#lost(facts, now);
    } else if (facts.connected && facts.reconnects > this.#reconnects) {
      // Lost and back between two polls: both events, with the outage no longer than a poll.
      this.#lost(facts, now);
      this.#rejoined(now);
    }
    this.#connected = facts.connected;
    this.#reconnects = facts.reconnects;
  }

  #lost(facts: LinkFacts, now: number): void {
    this.#since = now;
    this.options.emit({ type: "cluster-lost", error: facts.lastError ?? "connection closed", instances: this.options.instances() });
  }

  #rejoined(now: number): void {
    this.options.emit({ type: "cluster-rejoined", outageMs: now - this.#since, resynced: this.options.resynced() });
  }
}

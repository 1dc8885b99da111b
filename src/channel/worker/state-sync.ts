// Carries this process's uid and group bindings and topic subscriptions to the master, ahead of every other channel message.
import type { WorkerToRelay } from "../protocol.ts";
import type { ChannelHost } from "./channel-host.ts";
import type { LocalBindings } from "./local-bindings.ts";

/** Bindings the master's full queue refused are offered again this often (and before any later message). */
const STATE_RETRY_MS = 100;

export class StateSync {
  // Topic (un)subscriptions not yet told to the master; a topic in both cancels out.
  readonly #sub = new Set<string>();
  readonly #unsub = new Set<string>();
  #flushScheduled = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ChannelHost,
    private readonly bindings: LocalBindings,
  ) {}

  subscribed(topic: string): void {
    if (!this.#unsub.delete(topic)) this.#sub.add(topic);
    this.schedule();
  }

  unsubscribed(topic: string): void {
    if (!this.#sub.delete(topic)) this.#unsub.add(topic);
    this.schedule();
  }

  /**
   * Every message to the master carries the bindings made before it: state first keeps the order the handler saw.
   * While the queue refuses the state it refuses this message too (the same cap), so nothing overtakes it.
   */
  toMaster(message: WorkerToRelay): boolean {
    this.#flush();
    return this.host.toMasterChannel(message);
  }

  schedule(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // A microtask: the bindings of one callback travel as one IPC message, and leave before this process reads
    // its next event, so a send another process makes after hearing "joined" finds the master's table up to date.
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (!this.bindings.dirty && this.#sub.size === 0 && this.#unsub.size === 0) return;
    const changes = this.bindings.takeChanges();
    const state: WorkerToRelay = { op: "state" };
    if (changes.uids.length) state.uids = changes.uids;
    if (changes.groups.length) state.groups = changes.groups;
    if (this.#sub.size) state.sub = [...this.#sub];
    if (this.#unsub.size) state.unsub = [...this.#unsub];
    if (this.host.toMasterChannel(state)) {
      this.#sub.clear();
      this.#unsub.clear();
      return;
    }
    // Refused (the master is not reading): bindings are never lost, only late. The changed keys stay marked (their
    // counts are absolute, so they are bounded by what this process holds) and go as soon as the queue has room.
    this.bindings.markChanged(changes);
    this.#retry ??= setTimeout(() => {
      this.#retry = undefined;
      this.#flush();
    }, STATE_RETRY_MS);
  }
}

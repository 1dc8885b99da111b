// `worker.channel` in a worker process: serves its own connections at once and asks the master to relay the rest.
import type { Connection } from "../../worker/types.ts";
import type { Channel, ConnectionRef, GroupHistory, GroupPosition, RecoverResult, SendAllOptions, SendOptions, TopicListener } from "../../worker/types.ts";
import type { ChannelHost } from "./channel-host.ts";
import { HISTORY_PAGE_MESSAGES } from "../channel-limits.ts";
import { KeptDelivery } from "./kept-delivery.ts";
import { LocalBindings } from "./local-bindings.ts";
import { PendingQueries } from "./pending-queries.ts";
import { StateSync } from "./state-sync.ts";
import { checkName, INSTANCE_ENV, normalizeUid, packData, packTopic, unpackData, unpackTopic } from "../protocol.ts";
import type { Delivery, HistorySlice, Query, QueryValue, RelayToWorker, WireData, WireRef, WorkerToRelay } from "../protocol.ts";

export class WorkerChannel implements Channel {
  readonly instance = process.env[INSTANCE_ENV] ?? "local";
  readonly #host: ChannelHost;
  readonly #bindings = new LocalBindings();
  readonly #kept: KeptDelivery;
  readonly #topics = new Map<string, Set<TopicListener>>();
  readonly #queries = new PendingQueries();
  readonly #sync: StateSync;

  constructor(host: ChannelHost) {
    this.#host = host;
    this.#kept = new KeptDelivery(host);
    this.#sync = new StateSync(host, this.#bindings);
  }

  /** The host tells of every connection that leaves its registry: its uid and group bindings go with it. */
  forget(conn: Connection): void {
    this.#bindings.forget(conn);
    this.#kept.forget(conn);
    this.#sync.schedule();
  }

  publish(topic: string, data: unknown): void {
    const message: Delivery = { op: "pub", topic: checkName("topic", topic), data: packTopic(data) };
    this.#toMaster(message);
    // Local subscribers get what a remote one would: the data after a JSON round trip, never the sender's object.
    this.#deliver(message);
  }

  subscribe(topic: string, fn: TopicListener): () => void {
    checkName("topic", topic);
    let listeners = this.#topics.get(topic);
    if (!listeners) {
      this.#topics.set(topic, (listeners = new Set()));
      this.#sync.subscribed(topic);
    }
    listeners.add(fn);
    return () => this.unsubscribe(topic, fn);
  }

  unsubscribe(topic: string, fn?: TopicListener): void {
    const listeners = this.#topics.get(topic);
    if (!listeners) return;
    if (fn) listeners.delete(fn);
    if (fn && listeners.size > 0) return;
    this.#topics.delete(topic);
    this.#sync.unsubscribed(topic);
  }

  bindUid(conn: Connection, uid: string | number): PromiseLike<void> {
    if (this.#usable(conn)) this.#bindings.bind(conn, normalizeUid(uid));
    this.#sync.schedule();
    return this.#applied();
  }

  unbindUid(conn: Connection): PromiseLike<void> {
    this.#bindings.unbind(conn);
    this.#sync.schedule();
    return this.#applied();
  }

  joinGroup(conn: Connection, group: string): PromiseLike<void> {
    if (this.#usable(conn)) this.#bindings.join(conn, checkName("group", group));
    this.#sync.schedule();
    return this.#applied();
  }

  leaveGroup(conn: Connection, group: string): PromiseLike<void> {
    this.#bindings.leave(conn, group);
    this.#sync.schedule();
    return this.#applied();
  }

  sendToUid(uid: string | number, data: unknown): void {
    this.#route({ op: "uid", uid: normalizeUid(uid), data: packData(data) });
  }

  sendToGroup(group: string, data: unknown, options: SendOptions = {}): void {
    const ex = this.#refs(options.exclude);
    this.#route({ op: "group", group: checkName("group", group), data: packData(data), ...(ex.length ? { ex } : {}) });
  }

  sendToAll(data: unknown, options: SendAllOptions = {}): void {
    const ex = this.#refs(options.exclude);
    const wg = options.workerGroup === undefined ? {} : { wg: checkName("worker group", options.workerGroup) };
    this.#route({ op: "all", data: packData(data), ...(ex.length ? { ex } : {}), ...wg });
  }

  publishToGroup(group: string, data: unknown, options: SendOptions = {}): void {
    const ex = this.#refs(options.exclude);
    // Not served locally first: the master (or Redis) orders it, and every member gets it in that order.
    this.#toMaster({ op: "gpub", group: checkName("group", group), data: packData(data), ...(ex.length ? { ex } : {}) });
  }

  recover(conn: Connection, group: string, position: GroupPosition = {}): Promise<RecoverResult> {
    checkName("group", group);
    const { offset, epoch } = position;
    if (offset !== undefined && !(Number.isInteger(offset) && offset >= 0))
      throw new TypeError(`recover: offset must be a whole number >= 0, got ${JSON.stringify(offset)}`);
    if (epoch !== undefined && typeof epoch !== "string") throw new TypeError(`recover: epoch must be a string, got ${JSON.stringify(epoch)}`);
    this.joinGroup(conn, group);
    // Without a position nothing is replayed: one message is enough to learn the epoch and offset.
    const page = (since: number | undefined) =>
      this.#ask({ what: "history", group, ...(since === undefined ? { limit: 1 } : { since, limit: HISTORY_PAGE_MESSAGES }) }) as Promise<HistorySlice>;
    return this.#kept.recover(conn, group, position, page);
  }

  async groupHistory(group: string, options: { since?: number; limit?: number } = {}): Promise<GroupHistory> {
    const slice = (await this.#ask({ what: "history", group: checkName("group", group), ...options })) as HistorySlice;
    const messages = slice.messages.map(([offset, data]) => ({ group, offset, epoch: slice.epoch, data: unpackData(data) }));
    return { epoch: slice.epoch, offset: slice.offset, messages, more: slice.more === true };
  }

  isUidOnline(uid: string | number): Promise<boolean> {
    return this.#ask({ what: "uidOnline", uid: normalizeUid(uid) }) as Promise<boolean>;
  }

  getUidCount(): Promise<number> {
    return this.#ask({ what: "uidCount" }) as Promise<number>;
  }

  getGroupCount(group: string): Promise<number> {
    return this.#ask({ what: "groupCount", group: checkName("group", group) }) as Promise<number>;
  }

  getGroupMembers(group: string): Promise<string[]> {
    return this.#ask({ what: "groupMembers", group: checkName("group", group) }) as Promise<string[]>;
  }

  uidOf(conn: Connection): string | undefined {
    return this.#bindings.uidOf(conn);
  }

  groupsOf(conn: Connection): string[] {
    return this.#bindings.groupsOf(conn);
  }

  refOf(conn: Connection): ConnectionRef {
    return { pid: conn.worker.pid, id: conn.id, instance: this.instance };
  }

  /** Own connections first (no hop), then the master for every other process. */
  #route(message: Delivery): void {
    this.#toMaster(message);
    this.#deliver(message);
  }

  #usable(conn: Connection): boolean {
    // A closed connection would never be forgotten again; one of another process cannot be reached from here.
    return !conn.closed && conn.worker.pid === this.#host.pid;
  }

  #deliver(message: Delivery): void {
    switch (message.op) {
      case "pub":
        return this.#callListeners(message.topic, message.data);
      case "uid":
        return this.#sendEach(this.#bindings.uids.get(message.uid), message.data);
      case "group":
        return this.#sendEach(this.#bindings.groups.get(message.group), message.data, message.ex);
      case "kept":
        return this.#kept.deliver(this.#bindings.groups.get(message.group) ?? [], message, this.#skipped(message.ex));
      case "all":
        if (message.wg !== undefined && message.wg !== this.#host.name) return;
        return this.#sendEach(this.#inbound(), message.data, message.ex);
    }
  }

  /** sendToAll means the clients of this server, not the connections this worker opened to other servers. */
  *#inbound(): Iterable<Connection> {
    for (const conn of this.#host.connections.values()) if (!(conn as { outbound?: boolean }).outbound) yield conn;
  }

  #sendEach(conns: Iterable<Connection> | undefined, data: WireData, ex?: WireRef[]): void {
    if (!conns) return;
    const skip = this.#skipped(ex);
    // One decode per process, whatever the number of connections.
    const wire = unpackData(data);
    for (const conn of conns) if (!skip.has(conn.id)) conn.send(wire);
  }

  #skipped(ex: WireRef[] | undefined): Set<number> {
    return new Set(ex?.filter((ref) => ref[0] === process.pid && (ref[2] ?? this.instance) === this.instance).map((ref) => ref[1]));
  }

  #callListeners(topic: string, data: Parameters<typeof unpackTopic>[0]): void {
    const listeners = this.#topics.get(topic);
    if (!listeners) return;
    const value = unpackTopic(data);
    for (const fn of [...listeners]) {
      try {
        fn(value, topic);
      } catch (err) {
        this.#host.reportError(`channel subscriber of "${topic}"`, null, err);
      }
    }
  }

  /** A channel payload the master relays to this process. */
  receive(message: RelayToWorker): void {
    switch (message.op) {
      case "a":
        return this.#queries.answer(message);
      case "conn": {
        const conn = this.#host.connections.get(message.id);
        const ok = conn !== undefined && conn.send(unpackData(message.data)) !== false;
        this.#toMaster({ op: "ack", qid: message.qid, ok });
        return;
      }
      case "members":
        this.#toMaster({ op: "mem", qid: message.qid, uids: this.#bindings.uidsIn(message.group) });
        return;
      default:
        return this.#deliver(message);
    }
  }

  #refs(exclude: SendOptions["exclude"]): WireRef[] {
    if (exclude === undefined) return [];
    const list = isSingle(exclude) ? [exclude] : [...exclude];
    return list.map((item) => {
      const ref = "send" in item ? this.refOf(item) : item;
      return ref.instance === undefined || ref.instance === this.instance ? [ref.pid, ref.id] : [ref.pid, ref.id, ref.instance];
    });
  }

  /**
   * What a binding call returns: awaiting it waits until the master has the binding, so a send any process on this
   * host makes afterwards reaches the connection (a client told "welcome" right after an unawaited join may hear of a
   * send that the master routed before it read the join). Not awaited, it costs nothing: it asks only when awaited.
   */
  #applied(): PromiseLike<void> {
    return {
      then: (done, failed) =>
        this.#ask({ what: "sync" })
          .then(() => undefined)
          .then(done, failed),
    };
  }

  #ask(q: Query): Promise<QueryValue> {
    return this.#queries.ask(q, (message) => this.#toMaster(message));
  }

  #toMaster(message: WorkerToRelay): boolean {
    return this.#sync.toMaster(message);
  }
}

function isSingle(value: NonNullable<SendOptions["exclude"]>): value is Connection | ConnectionRef {
  return !(Symbol.iterator in (value as object));
}

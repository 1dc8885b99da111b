// The master's side of the channel: keeps the routing tables, relays each send only to the processes that need it, answers queries.
import { hostname } from "node:os";
import type { AppConfig } from "../../config/types.ts";
import { Cluster, type ClusterStatus } from "../cluster/cluster.ts";
import { packData, type BusMessage, type Delivery, type Query, type QueryValue, type WireData, type WireRef, type WorkerToRelay } from "../protocol.ts";
import { HistoryRules } from "./history-rules.ts";
import { KeptSequencer } from "./kept-sequencer.ts";
import { MemoryHistory } from "./memory-history.ts";
import type { ChannelPeer, ProcessDirectory } from "./process-directory.ts";
import { RoutingTable } from "./routing-table.ts";

export type PushTarget = { uid: string } | { group: string; keep?: boolean } | { all: true; workerGroup?: string } | { pid: number; id: number };

export interface PushResult {
  /** Local processes the message was handed to. */
  processes: number;
  /** "published": handed to Redis for the other hosts; "unavailable": Redis is down (counted); "off": no cluster. */
  cluster: "published" | "unavailable" | "off";
  /** Only for { pid, id }: whether that connection took it. */
  delivered?: boolean;
}

const ACK_TIMEOUT_MS = 3000;
export class ChannelRelay {
  readonly instance = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly table = new RoutingTable();
  readonly cluster: Cluster | null;
  readonly rules: HistoryRules;
  /** Group history on this host (with a cluster: only while Redis is unreachable). */
  readonly history: MemoryHistory;
  readonly #sequencer: KeptSequencer;
  readonly #acks = new Map<number, (ok: boolean) => void>();
  readonly #gathers = new Map<number, (uids: string[]) => void>();
  #nextAck = 1;
  #syncScheduled = false;

  constructor(
    config: AppConfig,
    private readonly directory: ProcessDirectory,
  ) {
    this.rules = new HistoryRules(config.channel?.history);
    this.history = new MemoryHistory(this.rules);
    this.#sequencer = new KeptSequencer(
      (group, since) => this.cluster?.history.read(group, since, undefined, this.rules.of(group)) ?? Promise.resolve(null),
      (kept) => {
        const { o, ...delivery } = kept as typeof kept & { o?: string };
        this.#routeLocal(delivery, null, o ?? this.instance);
      },
    );
    this.cluster = config.cluster
      ? new Cluster({
          url: config.cluster.redis,
          app: config.name,
          instance: this.instance,
          table: this.table,
          onDelivery: (message) => this.#fromCluster(message),
          localMembers: (group) => this.#localMembers(group),
          onKept: (kept) => this.#sequencer.accept(kept),
          log: (line) => console.log(line),
          maxPendingBytes: config.cluster.maxPendingBytes,
        })
      : null;
  }

  fromWorker(message: WorkerToRelay, from: ChannelPeer): void {
    switch (message.op) {
      case "state":
        for (const topic of message.sub ?? []) this.table.subscribe(from.pid, topic);
        for (const topic of message.unsub ?? []) this.table.unsubscribe(from.pid, topic);
        for (const [uid, n] of message.uids ?? []) this.table.setUid(from.pid, uid, n);
        for (const [group, n] of message.groups ?? []) this.table.setGroup(from.pid, group, n);
        return this.#scheduleSync();
      case "q":
        void this.#answer(message.q).then(
          (value) => from.send({ type: "channel", payload: { op: "a", qid: message.qid, value } }),
          (err: Error) => from.send({ type: "channel", payload: { op: "a", qid: message.qid, value: false, error: err.message } }),
        );
        return;
      case "ack":
        this.#acks.get(message.qid)?.(message.ok);
        this.#acks.delete(message.qid);
        return;
      case "gpub":
        this.publishKept(message.group, message.data, message.ex);
        return;
      case "mem":
        this.#gathers.get(message.qid)?.(message.uids);
        this.#gathers.delete(message.qid);
        return;
      default:
        // The sender already served its own connections.
        this.#routeLocal(message, from.pid, this.instance);
        this.cluster?.publish(message);
    }
  }

  processGone(pid: number): void {
    this.table.dropProcess(pid);
    this.#scheduleSync();
  }

  /** The admin plane's push: local processes over IPC, other hosts over Redis. */
  async push(to: PushTarget, data: unknown): Promise<PushResult> {
    if ("pid" in to) return this.#pushToConnection(to.pid, to.id, data);
    const wire = packData(data);
    if ("group" in to && to.keep) {
      const cluster = !this.cluster ? "off" : this.cluster.connected ? "published" : "unavailable";
      return { processes: this.publishKept(to.group, wire), cluster };
    }
    const delivery: Delivery =
      "uid" in to
        ? { op: "uid", uid: to.uid, data: wire }
        : "group" in to
          ? { op: "group", group: to.group, data: wire }
          : { op: "all", data: wire, ...(to.workerGroup === undefined ? {} : { wg: to.workerGroup }) };
    const processes = this.#routeLocal(delivery, null, this.instance);
    const cluster = !this.cluster ? "off" : this.cluster.publish(delivery) ? "published" : "unavailable";
    return { processes, cluster };
  }

  /**
   * publishToGroup: one offset per message in the order this master (or Redis) sees them, the same order for every
   * member. With a cluster the message is delivered when Redis publishes it back; returns the local processes
   * holding members.
   */
  publishKept(group: string, data: WireData, ex?: WireRef[]): number {
    if (!this.cluster?.connected) return this.#keepLocally(group, data, ex);
    void this.cluster.history.append(group, data, ex, this.rules.of(group)).then((ok) => ok || this.#keepLocally(group, data, ex));
    return new Set(this.table.groupHolders(group)).size;
  }

  /** One host, or Redis out of reach: the master's own history (with a cluster, that group's epoch changes on rejoin). */
  #keepLocally(group: string, data: WireData, ex?: WireRef[]): number {
    this.cluster?.markDiverged(group);
    const { offset, epoch } = this.history.append(group, data);
    return this.#routeLocal({ op: "kept", group, offset, epoch, data, ...(ex ? { ex } : {}) }, null, this.instance);
  }

  status(): ClusterStatus | null {
    return this.cluster?.status() ?? null;
  }

  async stop(): Promise<void> {
    this.history.stop();
    await this.cluster?.stop();
  }

  #fromCluster(message: BusMessage): void {
    const { o, ...delivery } = message;
    this.#routeLocal(delivery as Delivery, null, o);
  }

  /** Hands a delivery to each process of this instance that needs it (but the sender); returns how many. */
  #routeLocal(delivery: Delivery, exceptPid: number | null, origin: string): number {
    let targets: Set<number> | null;
    let payload: Delivery = delivery;
    switch (delivery.op) {
      case "pub":
        targets = new Set(this.table.topicHolders(delivery.topic));
        break;
      case "uid":
        targets = new Set(this.table.uidHolders(delivery.uid));
        break;
      case "group":
      case "kept":
        targets = new Set(this.table.groupHolders(delivery.group));
        payload = { ...delivery, ex: this.#localRefs(delivery.ex, origin) };
        break;
      case "all":
        targets = null;
        payload = { ...delivery, ex: this.#localRefs(delivery.ex, origin) };
        break;
    }
    if (exceptPid !== null) targets?.delete(exceptPid);
    if (targets?.size === 0) return 0;
    const group = delivery.op === "all" ? delivery.wg : undefined;
    let sent = 0;
    this.directory.sendChannel(payload, (proc) => {
      const wanted = proc.pid !== exceptPid && (targets === null || targets.has(proc.pid)) && (group === undefined || proc.group === group);
      if (wanted) sent++;
      return wanted;
    });
    return sent;
  }

  /** Exclusions that name connections of this instance, as [pid, id]; undefined when none is left. */
  #localRefs(ex: WireRef[] | undefined, origin: string): WireRef[] | undefined {
    const local = ex?.filter((ref) => (ref[2] ?? origin) === this.instance).map((ref): WireRef => [ref[0], ref[1]]);
    return local?.length ? local : undefined;
  }

  async #pushToConnection(pid: number, id: number, data: unknown): Promise<PushResult> {
    const proc = [...this.directory.processes].find((p) => p.pid === pid);
    // A { pid, id } names a connection of this instance: Redis is not involved.
    const result: PushResult = { processes: 0, cluster: "off", delivered: false };
    if (!proc) return result;
    const qid = this.#nextAck++;
    const { promise, resolve } = Promise.withResolvers<boolean>();
    this.#acks.set(qid, resolve);
    const timer = setTimeout(() => this.#acks.delete(qid) && resolve(false), ACK_TIMEOUT_MS);
    if (!proc.send({ type: "channel", payload: { op: "conn", qid, id, data: packData(data) } })) resolve(false);
    result.delivered = await promise;
    clearTimeout(timer);
    this.#acks.delete(qid);
    result.processes = 1;
    return result;
  }

  /** The uids of a group's members in this instance's processes (a process that does not answer in time is left out). */
  async #localMembers(group: string): Promise<string[]> {
    const answers = [...this.table.groupHolders(group)].map((pid) => {
      const proc = [...this.directory.processes].find((p) => p.pid === pid);
      const qid = this.#nextAck++;
      const { promise, resolve } = Promise.withResolvers<string[]>();
      this.#gathers.set(qid, resolve);
      const timer = setTimeout(() => this.#gathers.delete(qid) && resolve([]), ACK_TIMEOUT_MS);
      if (!proc?.send({ type: "channel", payload: { op: "members", qid, group } })) resolve([]);
      return promise.finally(() => {
        clearTimeout(timer);
        this.#gathers.delete(qid);
      });
    });
    return [...new Set((await Promise.all(answers)).flat())];
  }

  async #answer(q: Query): Promise<QueryValue> {
    if (q.what === "sync") {
      this.#syncNow(); // other hosts hear of the bindings now, not at the next immediate
      return true;
    }
    if (q.what === "groupMembers") {
      const local = await this.#localMembers(q.group);
      const remote = this.cluster?.connected ? await this.cluster.remoteMembers(q.group) : [];
      return [...new Set([...local, ...remote])];
    }
    if (q.what === "history") {
      const slice = this.cluster?.connected ? await this.cluster.history.read(q.group, q.since, q.limit, this.rules.of(q.group)) : null;
      return slice ?? this.history.read(q.group, q.since, q.limit);
    }
    if (q.what === "uidOnline" && this.table.uidOnline(q.uid)) return true;
    if (this.cluster?.connected) {
      this.#syncNow(); // the query must see this instance's latest bindings
      const value = await this.cluster.query(q);
      if (value !== null) return value;
    }
    switch (q.what) {
      case "uidOnline":
        return this.table.uidOnline(q.uid);
      case "uidCount":
        return this.table.uidCount();
      case "groupCount":
        return this.table.groupCount(q.group);
    }
  }

  #scheduleSync(): void {
    if (this.#syncScheduled) return;
    this.#syncScheduled = true;
    setImmediate(() => this.#syncNow());
  }

  #syncNow(): void {
    this.#syncScheduled = false;
    if (!this.table.changed) return;
    const change = this.table.takeChanges();
    this.cluster?.syncPresence(change);
  }
}

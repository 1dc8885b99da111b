// Joins this instance to others through Redis: a pub/sub bus for deliveries, and expiring presence keys for queries.
import type { BusControl, BusMessage, Delivery, Query } from "../protocol.ts";
import { RedisHistory, type BusKept } from "./redis-history.ts";
import { RedisLink, redact } from "./redis-link.ts";
import type { InstanceChange, RoutingTable } from "../master/routing-table.ts";
import type { StatusCluster } from "./cluster-status.ts";

/** Presence keys live this long unless refreshed: a host that dies vanishes from queries within it. */
const PRESENCE_TTL_MS = 15_000;
const REFRESH_MS = 5_000;
/** A query Redis has not answered by then gets this instance's own answer (a hung Redis must not hang workers). */
const QUERY_TIMEOUT_MS = 1_000;

// Scripts read the live instances from the sorted set, so a query is one round trip whatever the number of hosts.
const LIVE = "local ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')\n";
const UID_ONLINE = `${LIVE}for _, id in ipairs(ids) do
  if redis.call('SISMEMBER', ARGV[2] .. id .. ':uids', ARGV[3]) == 1 then return 1 end
end
return 0`;
const UID_COUNT = `${LIVE}local keys = {}
for i, id in ipairs(ids) do keys[i] = ARGV[2] .. id .. ':uids' end
if #keys == 0 then return 0 end
if #keys == 1 then return redis.call('SCARD', keys[1]) end
return #redis.call('SUNION', unpack(keys))`;
const GROUP_COUNT = `${LIVE}local sum = 0
for _, id in ipairs(ids) do
  local n = redis.call('HGET', ARGV[2] .. id .. ':groups', ARGV[3])
  if n then sum = sum + tonumber(n) end
end
return sum`;

export interface ClusterOptions {
  url: string;
  app: string;
  instance: string;
  table: RoutingTable;
  /** A delivery from another instance, to route to this instance's processes. */
  onDelivery: (message: BusMessage) => void;
  /** A kept message, from any instance this one included (their order is Redis's, the same everywhere). */
  onKept: (message: BusKept) => void;
  /** The uids of a group's members on this instance, for another instance's getGroupMembers. */
  localMembers: (group: string) => Promise<string[]>;
  log: (line: string) => void;
  /** cluster.maxPendingBytes: what may wait for Redis before publishes are refused. */
  maxPendingBytes: number;
}

/** The admin contract's shape is the one this reports. */
export type ClusterStatus = StatusCluster;

export class Cluster {
  readonly #link: RedisLink;
  /** `wm:{app}:`: the braces are a Redis Cluster hash tag, so every key of one app lives in one slot. */
  readonly #prefix: string;
  readonly #refresh: ReturnType<typeof setInterval>;
  readonly #gathers = new Map<number, (uids: string[]) => void>();
  readonly history: RedisHistory;
  /** Groups given messages that only this instance kept (Redis was out of reach): they get a new epoch on rejoin. */
  readonly #diverged = new Set<string>();
  #nextGather = 1;
  /** What the last rejoin rewrote in Redis, for the cluster-rejoined event (src/cluster/link-watch.ts). */
  lastResync: { uids: number; groups: number; newEpochs: string[] } | null = null;
  /** Signed cluster commands (src/cluster/): the bus carries them, this instance's cluster plane reads them. */
  onCommand: ((text: string) => void) | null = null;

  constructor(private readonly options: ClusterOptions) {
    this.#prefix = `wm:{${options.app}}:`;
    this.#link = new RedisLink({
      url: options.url,
      channel: `${this.#prefix}bus`,
      name: `wm-${options.instance}`.replace(/[^\x21-\x7e]/g, "_"),
      onMessage: (text) => this.#receive(text),
      onUp: () => this.#rejoin(),
      log: options.log,
      maxPendingBytes: options.maxPendingBytes,
    });
    this.history = new RedisHistory(this.#link, this.#prefix, options.instance);
    this.#refresh = setInterval(() => void this.#heartbeat().catch(() => {}), REFRESH_MS);
    this.#link.start();
  }

  /** The Redis connection, for worker.shared's store (src/key-value/redis-store.ts). */
  get link(): RedisLink {
    return this.#link;
  }

  get connected(): boolean {
    return this.#link.status.connected;
  }

  status(): ClusterStatus {
    return { redis: redact(this.options.url), instance: this.options.instance, ...this.#link.report() };
  }

  /** For src/cluster/ (announcements, signed commands): the same link, with its byte cap and timeouts. */
  command(name: string, args: string[]): Promise<unknown> {
    return this.#link.command(name, args);
  }

  /** Every key of this app starts with it (`wm:{app}:`). */
  get keyPrefix(): string {
    return this.#prefix;
  }

  /** Puts a cluster command on the bus (false when Redis is unavailable). */
  publishCommand(text: string): boolean {
    return this.#link.publish(text);
  }

  /** Sends a delivery to every other instance; false when Redis is unavailable (counted). */
  publish(delivery: Delivery): boolean {
    return this.#link.publish(JSON.stringify({ ...delivery, o: this.options.instance } satisfies BusMessage));
  }

  markDiverged(group: string): void {
    this.#diverged.add(group);
  }

  /** Mirrors this instance's changed uid/group totals into its presence keys (dropped while disconnected: a rejoin rewrites all). */
  syncPresence(change: InstanceChange): void {
    if (!this.connected) return;
    const online: string[] = [];
    const offline: string[] = [];
    for (const [uid, on] of change.uids) (on ? online : offline).push(uid);
    const counts: string[] = [];
    const empty: string[] = [];
    for (const [group, n] of change.groups) n > 0 ? counts.push(group, String(n)) : empty.push(group);
    const run = (name: string, key: string, args: string[]) => {
      if (args.length) this.#link.command(name, [key, ...args]).catch(() => {});
    };
    run("SADD", this.#uidsKey, online);
    run("SREM", this.#uidsKey, offline);
    run("HSET", this.#groupsKey, counts);
    run("HDEL", this.#groupsKey, empty);
    // A key created just now has no expiry yet.
    if (online.length || counts.length) void this.#expire().catch(() => {});
  }

  /** Cluster-wide answer; null when Redis cannot answer (the caller falls back to this instance's own view). */
  async query(q: Exclude<Query, { what: "groupMembers" }>): Promise<number | boolean | null> {
    if (!this.connected) return null;
    const script = q.what === "uidOnline" ? UID_ONLINE : q.what === "uidCount" ? UID_COUNT : GROUP_COUNT;
    const arg = q.what === "uidOnline" ? q.uid : q.what === "groupCount" ? q.group : "";
    const evaluated = this.#link.command("EVAL", [script, "1", this.#instancesKey, String(Date.now() - PRESENCE_TTL_MS), this.#prefix, arg]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<null>((resolve) => {
      timer = setTimeout(() => {
        this.#link.fail(new Error(`no answer from Redis in ${QUERY_TIMEOUT_MS} ms`));
        resolve(null);
      }, QUERY_TIMEOUT_MS);
    });
    try {
      const value = await Promise.race([evaluated, timedOut]);
      if (value === null) return null;
      return q.what === "uidOnline" ? Number(value) === 1 : Number(value);
    } catch {
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The uids of a group's members on the other live instances: asks them all over the bus and waits for as many
   * answers as the instances set has live entries (at most a second: an instance that does not answer is left out).
   */
  async remoteMembers(group: string): Promise<string[]> {
    const live = Number(await this.#link.command("ZCOUNT", [this.#instancesKey, String(Date.now() - PRESENCE_TTL_MS), "+inf"]).catch(() => 0));
    const others = live - 1;
    if (others <= 0) return [];
    const qid = this.#nextGather++;
    const uids = new Set<string>();
    const { promise, resolve } = Promise.withResolvers<void>();
    let answers = 0;
    this.#gathers.set(qid, (list) => {
      for (const uid of list) uids.add(uid);
      if (++answers >= others) resolve();
    });
    const timer = setTimeout(resolve, QUERY_TIMEOUT_MS);
    this.#link.publish(JSON.stringify({ op: "mq", qid, group, o: this.options.instance } satisfies BusControl));
    await promise;
    clearTimeout(timer);
    this.#gathers.delete(qid);
    return [...uids];
  }

  /** Leaves the cluster: other instances stop counting this one at once instead of after the expiry. */
  async stop(): Promise<void> {
    clearInterval(this.#refresh);
    await this.#link.stop(async () => {
      await Promise.all([this.#link.command("ZREM", [this.#instancesKey, this.options.instance]), this.#link.command("DEL", [this.#uidsKey, this.#groupsKey])]);
    });
  }

  get #instancesKey(): string {
    return `${this.#prefix}instances`;
  }

  get #uidsKey(): string {
    return `${this.#prefix}${this.options.instance}:uids`;
  }

  get #groupsKey(): string {
    return `${this.#prefix}${this.options.instance}:groups`;
  }

  #receive(text: string): void {
    let message: BusMessage | BusControl;
    try {
      message = JSON.parse(text) as BusMessage | BusControl;
    } catch {
      this.#link.fail(new Error("unreadable message on the bus"));
      return;
    }
    if ((message as { op: string }).op === "cmd") return void this.onCommand?.(text);
    // Kept messages are delivered when they come back from Redis, ours too: that is what gives one order.
    if (message.op === "kept") {
      const { g, ...kept } = message as BusKept;
      // Our own append from a connection since given up on: Redis ran it late, but it was already delivered here.
      if (kept.o === this.options.instance && g !== undefined && g !== this.#link.generation) return;
      return this.options.onKept(kept);
    }
    // Redis echoes our own publishes back: this instance already delivered them.
    if (message.o === this.options.instance) return;
    if (message.op === "mq") return void this.#answerMembers(message.qid, message.group, message.o);
    if (message.op === "ma") return void (message.to === this.options.instance && this.#gathers.get(message.qid)?.(message.uids));
    this.options.onDelivery(message);
  }

  async #answerMembers(qid: number, group: string, to: string): Promise<void> {
    const uids = await this.options.localMembers(group);
    this.#link.publish(JSON.stringify({ op: "ma", qid, uids, to, o: this.options.instance } satisfies BusControl));
  }

  /** After a (re)connection Redis may have restarted empty or expired our keys: write this instance's whole view. */
  async #rejoin(): Promise<void> {
    const { table } = this.options;
    table.takeChanges(); // everything is rewritten below
    const newEpochs = [...this.#diverged];
    if (this.#diverged.size) {
      await this.history.newEpochs(this.#diverged);
      this.#diverged.clear();
    }
    await this.#link.command("DEL", [this.#uidsKey, this.#groupsKey]);
    const uids = [...table.uids.keys()];
    for (let i = 0; i < uids.length; i += 1000) await this.#link.command("SADD", [this.#uidsKey, ...uids.slice(i, i + 1000)]);
    const groups = [...table.groups.keys()].flatMap((group) => [group, String(table.groupCount(group))]);
    for (let i = 0; i < groups.length; i += 2000) await this.#link.command("HSET", [this.#groupsKey, ...groups.slice(i, i + 2000)]);
    this.lastResync = { uids: uids.length, groups: groups.length / 2, newEpochs };
    await this.#heartbeat();
  }

  async #heartbeat(): Promise<void> {
    if (!this.connected) return;
    const now = Date.now();
    await Promise.all([
      this.#link.command("ZADD", [this.#instancesKey, String(now), this.options.instance]),
      // Forget instances gone for a long time, so the set does not grow with every restart.
      this.#link.command("ZREMRANGEBYSCORE", [this.#instancesKey, "-inf", String(now - 10 * PRESENCE_TTL_MS)]),
      this.#expire(),
    ]);
  }

  async #expire(): Promise<void> {
    await Promise.all([
      this.#link.command("PEXPIRE", [this.#uidsKey, String(PRESENCE_TTL_MS)]),
      this.#link.command("PEXPIRE", [this.#groupsKey, String(PRESENCE_TTL_MS)]),
    ]);
  }
}

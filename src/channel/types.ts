// The channel API user handlers see as `worker.channel`: topics, GatewayWorker's uid/group verbs, and async queries.
import type { Connection } from "../worker/types.ts";

/** A connection anywhere in the cluster: its process, its id there, and (across hosts) its instance. */
export interface ConnectionRef {
  pid: number;
  id: number;
  /** The instance (master) that holds it; leave out for this instance. */
  instance?: string;
}

export interface SendOptions {
  /** Connections that must not receive this message (for example the sender itself). */
  exclude?: Connection | ConnectionRef | Iterable<Connection | ConnectionRef>;
}

export interface SendAllOptions extends SendOptions {
  /** Only the connections of this worker group (its `name` in app.json), on every host. */
  workerGroup?: string;
}

/** A kept group message as onGroupMessage receives it: the app may put offset and epoch into its own frames. */
export interface GroupMessage {
  group: string;
  /** Increases by one per message of this group, cluster-wide. */
  offset: number;
  /** Changes whenever the group's history could have lost messages (a master restart without Redis, a Redis outage). */
  epoch: string;
  /** What publishToGroup was given, as send() would write it: a string, or bytes. */
  data: string | Uint8Array;
}

/** Where a client got to: the offset and epoch of the last group message it received. */
export interface GroupPosition {
  offset?: number;
  epoch?: string;
}

export interface RecoverResult {
  /** true: every message after the given offset was delivered. false: the app must reload its state (epoch changed, or the gap is older than the history). */
  recovered: boolean;
  epoch: string;
  /** The offset of the last message delivered (or the group's current one). */
  offset: number;
}

export interface GroupHistory {
  epoch: string;
  /** The last offset given out in this group. */
  offset: number;
  messages: GroupMessage[];
  /** true: more were kept than one answer holds (1 MiB or 1000 messages); ask again with `since` = the last offset here. */
  more: boolean;
}

export type TopicListener = (data: unknown, topic: string) => void;

/**
 * Cross-process (and, with `cluster.redis`, cross-host) messaging.
 *
 * Sends are fire-and-forget and go only where they are needed: connections of this process are served at once,
 * the master relays to the other processes that hold a uid, a group member or a topic subscriber, and to other
 * hosts over Redis. Queries (`isUidOnline`, counts) are answered by the master and return Promises; across hosts
 * they read Redis, so they may lag a send by a few milliseconds.
 */
export interface Channel {
  /** This instance's id (differs per master run); part of every ConnectionRef across hosts. */
  readonly instance: string;
  /** Calls every subscriber of `topic` in every process (this one included). `data` must be JSON or bytes. */
  publish(topic: string, data: unknown): void;
  /** Returns a function that unsubscribes `fn`. */
  subscribe(topic: string, fn: TopicListener): () => void;
  /** Without `fn`: drops every listener of `topic` in this process. */
  unsubscribe(topic: string, fn?: TopicListener): void;

  /** Binds `conn` to `uid` (one uid per connection; a uid may have many connections). Ends when the connection closes. */
  bindUid(conn: Connection, uid: string | number): void;
  unbindUid(conn: Connection): void;
  /** Adds `conn` to `group` (a connection may be in many groups). Ends when the connection closes. */
  joinGroup(conn: Connection, group: string): void;
  leaveGroup(conn: Connection, group: string): void;

  /** `data` is sent as each connection's send() would: strings and bytes as they are, other values as JSON. */
  sendToUid(uid: string | number, data: unknown): void;
  sendToGroup(group: string, data: unknown, options?: SendOptions): void;
  /** Every connection of every worker process (one message per process, whatever the number of connections). */
  sendToAll(data: unknown, options?: SendAllOptions): void;

  /**
   * Like sendToGroup, and the message is kept (if `channel.history` keeps this group) with the group's next offset:
   * every member, the sender's connections too, receives it through onGroupMessage (or send) in one order.
   */
  publishToGroup(group: string, data: unknown, options?: SendOptions): void;
  /**
   * Joins `group` and delivers every kept message after `position.offset`, then the live ones, with no gap and no
   * duplicate; `recovered: false` when that was not possible (the app then reloads its state).
   */
  recover(conn: Connection, group: string, position?: GroupPosition): Promise<RecoverResult>;
  /** The kept messages after `since` (all kept without it), at most `limit`, oldest first, in pages of at most 1 MiB. */
  groupHistory(group: string, options?: { since?: number; limit?: number }): Promise<GroupHistory>;

  /** Answered by the master (and Redis across hosts). */
  isUidOnline(uid: string | number): Promise<boolean>;
  /** Distinct uids bound anywhere. */
  getUidCount(): Promise<number>;
  /** Connections in `group` anywhere. */
  getGroupCount(group: string): Promise<number>;
  /** The distinct uids bound to members of `group` anywhere (members without a uid are not listed). */
  getGroupMembers(group: string): Promise<string[]>;

  /** Local, synchronous: this connection's uid and groups (still answered in its onClose), and its cluster-wide reference. */
  uidOf(conn: Connection): string | undefined;
  groupsOf(conn: Connection): string[];
  refOf(conn: Connection): ConnectionRef;
}

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

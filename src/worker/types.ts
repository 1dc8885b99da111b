// The shapes user handler modules see: App (the module's default export), Worker, Connection, Timers, and the Channel
// (worker.channel): one file, since a Connection's worker holds the channel and the channel takes connections.
import type { Serve, Server } from "bun";
import type { Shared } from "../key-value/types.ts";
import type { ListenAddress, WorkerGroupConfig } from "../config/types.ts";
import type { Protocol } from "../protocols/protocol.ts";

export interface Connection {
  readonly id: number;
  /** "http", "websocket", "tcp", "text", "frame", "json", "udp", "unix" or a custom protocol's name. */
  readonly protocol: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  readonly worker: Worker;
  /** Bytes received (WebSocket text frames: characters, exact for ASCII). */
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** Bytes accepted by send() that the kernel has not taken yet. */
  readonly pendingSendBytes: number;
  readonly openedAt: number;
  readonly closed: boolean;
  /** true for connections this worker opened with worker.connect(). */
  readonly outbound: boolean;
  maxSendBufferSize: number;
  maxPackageSize: number;
  /** Free-form per-connection state. */
  context: Record<string, unknown>;
  /** true: written; null: queued behind earlier bytes; false: dropped (closed or buffer full). */
  send(data: unknown): boolean | null;
  /** Sends `data` if given, flushes what is pending, then closes. */
  close(data?: unknown): void;
  /** Closes at once, dropping what is pending. */
  destroy(): void;
  /** Stops handing messages to onMessage and stops reading, so the peer sees TCP backpressure. */
  pauseRecv(): void;
  /** Delivers what arrived while paused, then reads again. */
  resumeRecv(): void;
  /**
   * Forwards every message of this connection to `dest` (Workerman's pipe): this side is paused while `dest` is
   * full and resumed when it drains; closing this side closes `dest` after its pending bytes. Returns `dest`.
   */
  pipe(dest: Connection): Connection;
}

/** The per-connection callbacks of an outbound connection (they replace the App's for it). */
export type ConnectionHandlers = Pick<App, "onConnect" | "onMessage" | "onClose" | "onError" | "onBufferFull" | "onBufferDrain">;

export interface ConnectOptions extends ConnectionHandlers {
  /** tcp:// and unix:// framing: "text", "frame", "json" or a Protocol object (text:// and frame:// imply it). */
  protocol?: "text" | "frame" | "json" | Protocol;
  /** tcp, text, frame, unix: TLS; `rejectUnauthorized: false` accepts a self-signed certificate. ws: use wss://. */
  tls?: boolean | { rejectUnauthorized?: boolean; ca?: string; serverName?: string };
}

/** Workerman's AsyncTcpConnection: a connection this worker opened, with the same API plus reconnecting. */
export interface OutboundConnection extends Connection {
  /** Connects again after `afterSeconds` (0: now); call it from onClose or onError to keep a link up. */
  reconnect(afterSeconds?: number): void;
}

/** Handler-set numbers shown per process in `status --json`, the admin API and /metrics (workerman_app_<name>). */
export interface Metrics {
  /** At most 64 names per process: a new name past that is refused (counted, warned once). */
  set(name: string, value: number): void;
  inc(name: string, by?: number): void;
  get(name: string): number | undefined;
  /** Records a duration into the histogram `name` (buckets 0.5 ms to 10 s); at most 16 names per process. */
  observe(name: string, seconds: number): void;
}

export interface TimerOptions {
  /** false: run once. Default true (repeat every interval). */
  persistent?: boolean;
}

export interface Timers {
  /** Runs `fn` every `seconds` (or once); returns the timer id. */
  add(seconds: number, fn: () => unknown, options?: TimerOptions): number;
  del(id: number): boolean;
  delAll(): void;
  readonly size: number;
}

export interface Worker {
  /** The group name from app.json. */
  readonly name: string;
  /** Index of this process within its group, 0..count-1. */
  readonly id: number;
  readonly pid: number;
  readonly generation: number;
  readonly listen: ListenAddress;
  readonly config: WorkerGroupConfig;
  readonly timers: Timers;
  readonly connections: ReadonlyMap<number, Connection>;
  /** Opens an outbound connection: tcp://, text://, frame://, unix://, ws://, wss:// or udp://host:port. */
  connect(url: string, options?: ConnectOptions): OutboundConnection;
  readonly metrics: Metrics;
  /** Cross-process and cross-host messaging: topics, uids, groups (Channel, below). */
  readonly channel: Channel;
  /** A key-value store every process of the app reaches, cluster-wide with cluster.redis (src/key-value/types.ts). */
  readonly shared: Shared;
}

type MaybePromise<T> = T | Promise<T>;

/** The default export of a handler module. Every callback is optional. */
// allow-any: an App without a message type keeps its data untyped, as handlers written before App<Message> expect.
export interface App<Message = any> {
  onWorkerStart?(worker: Worker): MaybePromise<void>;
  onWorkerStop?(worker: Worker): MaybePromise<void>;
  onWorkerReload?(worker: Worker): MaybePromise<void>;
  /** Asked during a reload's settle window: anything but `true` (or a throw) rolls the new generation back. */
  onHealthCheck?(worker: Worker): MaybePromise<boolean>;
  onConnect?(conn: Connection): MaybePromise<void>;
  onMessage?(conn: Connection, data: Message): MaybePromise<void>;
  onClose?(conn: Connection): MaybePromise<void>;
  /** A kept group message (channel.publishToGroup, recover) for `conn`; without it, conn.send(message.data). */
  onGroupMessage?(conn: Connection, message: GroupMessage): MaybePromise<void>;
  /** Any callback that throws lands here; `conn` is null for worker-level callbacks and timers. */
  onError?(conn: Connection | null, error: unknown): MaybePromise<void>;
  onBufferFull?(conn: Connection): MaybePromise<void>;
  onBufferDrain?(conn: Connection): MaybePromise<void>;
  /** websocket:// groups: runs at the handshake; return a Response to refuse it. */
  onWebSocketConnect?(conn: Connection, request: Request): MaybePromise<void | Response>;
  /** http:// groups (and non-upgrade requests on websocket:// groups). A Hono app's `fetch` fits. */
  fetch?(request: Request, server: Server<unknown>): MaybePromise<Response>;
  /**
   * http:// groups: Bun.serve `routes`, passed as they are (a Response or Bun.file is answered without entering
   * JavaScript); checked before the static folder and `fetch`, which answers what no route matches.
   */
  routes?: Serve.Routes<unknown, string>;
}

export type AppCallback = Exclude<keyof App, "fetch" | "routes" | "onHealthCheck">;

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

  /**
   * Binds `conn` to `uid` (one uid per connection; a uid may have many connections). Ends when the connection closes.
   * Takes effect here at once and in the master's table a moment later: `await` it (one round trip) before telling
   * the client it is in, and every send from any process on this host after that reaches it. The same for the three below.
   */
  bindUid(conn: Connection, uid: string | number): PromiseLike<void>;
  unbindUid(conn: Connection): PromiseLike<void>;
  /** Adds `conn` to `group` (a connection may be in many groups). Ends when the connection closes. */
  joinGroup(conn: Connection, group: string): PromiseLike<void>;
  leaveGroup(conn: Connection, group: string): PromiseLike<void>;

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

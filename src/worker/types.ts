// The shapes user handler modules see: App (the module's default export), Worker, Connection, Timers.
import type { Serve, Server } from "bun";
import type { Channel, GroupMessage } from "../channel/types.ts";
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

/** Handler-set numbers shown per process in `status --json` and the admin API. */
export interface Metrics {
  set(name: string, value: number): void;
  inc(name: string, by?: number): void;
  get(name: string): number | undefined;
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
  /** Cross-process and cross-host messaging: topics, uids, groups (src/channel/types.ts). */
  readonly channel: Channel;
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

// The handler API of workerman-app as one self-contained declaration file, for type-checking a project outside this
// repository (`workerman-app init` writes it to types/workerman-app.d.ts). No @types/bun or @types/node needed.
// Kept in step with src/public-api.ts by test/cli/declarations.test.ts.
declare module "workerman-app" {
  /** Bytes as handlers receive them (Bun hands you a Buffer, which is a Uint8Array). */
  type Bytes = Uint8Array;
  type MaybePromise<T> = T | Promise<T>;

  export interface Connection {
    readonly id: number;
    /** "http", "websocket", "tcp", "text", "frame", "json", "udp", "unix" or a custom protocol's name. */
    readonly protocol: string;
    readonly remoteAddress: string;
    readonly remotePort: number;
    readonly localPort: number;
    readonly worker: Worker;
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
    pauseRecv(): void;
    resumeRecv(): void;
    /** Forwards every message of this connection to `dest`, with backpressure; returns `dest`. */
    pipe(dest: Connection): Connection;
  }

  /** The per-connection callbacks of an outbound connection (they replace the App's for it). */
  export type ConnectionHandlers = Pick<App, "onConnect" | "onMessage" | "onClose" | "onError" | "onBufferFull" | "onBufferDrain">;

  export interface ConnectOptions extends ConnectionHandlers {
    protocol?: "text" | "frame" | "json" | Protocol;
    tls?: boolean | { rejectUnauthorized?: boolean; ca?: string; serverName?: string };
  }

  export interface OutboundConnection extends Connection {
    /** Connects again after `afterSeconds` (0: now). */
    reconnect(afterSeconds?: number): void;
  }

  export interface Metrics {
    set(name: string, value: number): void;
    inc(name: string, by?: number): void;
    get(name: string): number | undefined;
  }

  export interface TimerOptions {
    /** false: run once. Default true. */
    persistent?: boolean;
  }

  export interface Timers {
    add(seconds: number, fn: () => unknown, options?: TimerOptions): number;
    del(id: number): boolean;
    delAll(): void;
    readonly size: number;
  }

  export interface ConnectionRef {
    pid: number;
    id: number;
    instance?: string;
  }

  export interface SendOptions {
    exclude?: Connection | ConnectionRef | Iterable<Connection | ConnectionRef>;
  }

  export type TopicListener = (data: unknown, topic: string) => void;

  /** Cross-process (and with cluster.redis cross-host) messaging: topics, uids, groups. */
  export interface Channel {
    readonly instance: string;
    publish(topic: string, data: unknown): void;
    subscribe(topic: string, fn: TopicListener): () => void;
    unsubscribe(topic: string, fn?: TopicListener): void;
    bindUid(conn: Connection, uid: string | number): void;
    unbindUid(conn: Connection): void;
    joinGroup(conn: Connection, group: string): void;
    leaveGroup(conn: Connection, group: string): void;
    sendToUid(uid: string | number, data: unknown): void;
    sendToGroup(group: string, data: unknown, options?: SendOptions): void;
    sendToAll(data: unknown, options?: SendOptions): void;
    isUidOnline(uid: string | number): Promise<boolean>;
    getUidCount(): Promise<number>;
    getGroupCount(group: string): Promise<number>;
    uidOf(conn: Connection): string | undefined;
    groupsOf(conn: Connection): string[];
    refOf(conn: Connection): ConnectionRef;
  }

  export type Scheme = "http" | "websocket" | "tcp" | "text" | "frame" | "udp" | "unix";

  export interface ListenAddress {
    scheme: Scheme;
    host: string;
    port: number;
    path?: string;
    url: string;
  }

  export interface SslConfig {
    cert: string;
    key: string;
  }

  export interface WorkerGroupConfig {
    name: string;
    listen: ListenAddress;
    count: number;
    handler: string;
    protocol?: string;
    static?: string;
    reloadable: boolean;
    ssl?: SslConfig;
    maxPackageSize: number;
    maxSendBufferSize: number;
    maxMemoryMB?: number;
    maxBodySize: number;
    idleTimeout: number;
    socketMode: number;
    env: Record<string, string>;
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
    connect(url: string, options?: ConnectOptions): OutboundConnection;
    readonly metrics: Metrics;
    readonly channel: Channel;
  }

  /** The parts of Bun's Server an http handler uses (Bun's own Server type fits it). */
  export interface Server {
    upgrade(request: Request, options: { headers?: HeadersInit; data: unknown }): boolean;
    requestIP(request: Request): { address: string; family: string; port: number } | null;
    timeout(request: Request, seconds: number): void;
  }

  /**
   * The default export of a handler module; every callback is optional. `Message` is what onMessage receives:
   * `App<string>` for text:// and WebSocket text, `App<Uint8Array>` for frame:// and udp://, `App<MyJson>` for the json protocol.
   */
  export interface App<Message = any> {
    onWorkerStart?(worker: Worker): MaybePromise<void>;
    onWorkerStop?(worker: Worker): MaybePromise<void>;
    onWorkerReload?(worker: Worker): MaybePromise<void>;
    onConnect?(conn: Connection): MaybePromise<void>;
    onMessage?(conn: Connection, data: Message): MaybePromise<void>;
    onClose?(conn: Connection): MaybePromise<void>;
    /** Any callback that throws lands here; `conn` is null for worker-level callbacks and timers. */
    onError?(conn: Connection | null, error: unknown): MaybePromise<void>;
    onBufferFull?(conn: Connection): MaybePromise<void>;
    onBufferDrain?(conn: Connection): MaybePromise<void>;
    /** websocket:// groups: runs at the handshake; return a Response to refuse it. */
    onWebSocketConnect?(conn: Connection, request: Request): MaybePromise<void | Response>;
    /** http:// groups (and non-upgrade requests on websocket:// groups). A Hono app's `fetch` fits. */
    fetch?(request: Request, server: Server): MaybePromise<Response>;
  }

  export interface ProtocolConnection {
    readonly id: number;
    maxPackageSize: number;
    context: Record<string, unknown>;
  }

  /** A framing protocol (Workerman's input/decode/encode). */
  export interface Protocol<Message = unknown> {
    /** Length of the first complete packet, 0 for "need more", -1 to close the connection. */
    input(buffer: Bytes, conn: ProtocolConnection): number;
    decode(packet: Bytes, conn: ProtocolConnection): Message;
    encode(message: Message, conn: ProtocolConnection): Bytes | string;
  }

  export interface SseMessage {
    event?: string;
    id?: string;
    retryMs?: number;
  }

  export interface SseStream {
    send(data: unknown, message?: SseMessage): boolean;
    comment(text?: string): boolean;
    close(): void;
    readonly closed: boolean;
    readonly lastEventId: string | null;
    onClose(fn: () => void): void;
  }

  export interface SseOptions {
    keepAliveSeconds?: number;
    headers?: HeadersInit;
  }

  /** A Server-Sent Events response: `return sse(request, (stream) => stream.send("hi"))`. */
  export function sse(request: Request, start: (stream: SseStream) => unknown, options?: SseOptions): Response;

  export type ErrorCode =
    | "E_CONFIG"
    | "E_USAGE"
    | "E_HANDLER"
    | "E_PROTOCOL"
    | "E_PACKAGE_TOO_BIG"
    | "E_NOT_RUNNING"
    | "E_ALREADY_RUNNING"
    | "E_ADMIN"
    | "E_LISTEN";

  export interface AppErrorOptions {
    field?: string;
    cause?: unknown;
    closeCode?: number;
  }

  export class AppError extends Error {
    readonly code: ErrorCode;
    readonly field?: string;
    readonly closeCode?: number;
    constructor(code: ErrorCode, message: string, options?: AppErrorOptions);
  }

  export const VERSION: string;
}

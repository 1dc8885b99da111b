// The shapes user handler modules see: App (the module's default export), Worker, Connection, Timers.
import type { Server } from "bun";
import type { ListenAddress, WorkerGroupConfig } from "../config/types.ts";

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
}

type MaybePromise<T> = T | Promise<T>;

/** The default export of a handler module. Every callback is optional. */
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
  fetch?(request: Request, server: Server<unknown>): MaybePromise<Response>;
}

export type AppCallback = Exclude<keyof App, "fetch">;

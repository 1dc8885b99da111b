// What every kind of connection shares: identity, byte counters, the send-buffer accounting and close bookkeeping.
import type { ConnectionInfo } from "../ipc.ts";
import type { WorkerRuntime } from "./runtime.ts";
import type { AppCallback, Connection, ConnectionHandlers } from "./types.ts";

export interface Peer {
  remoteAddress: string;
  remotePort: number;
  localPort: number;
}

export abstract class BaseConnection implements Connection {
  readonly id: number;
  readonly openedAt = Date.now();
  readonly remoteAddress: string;
  readonly remotePort: number;
  localPort: number;
  bytesRead = 0;
  bytesWritten = 0;
  maxSendBufferSize: number;
  maxPackageSize: number;
  #context: Record<string, unknown> | null = null;
  closed = false;
  /** True between onBufferFull and onBufferDrain. */
  protected bufferFull = false;
  /** Where pipe() forwards this connection's messages, or null. */
  #pipeTo: BaseConnection | null = null;
  /** Connections piped into this one: paused while this one's send buffer is full. */
  #feeders: Set<BaseConnection> | null = null;

  constructor(
    readonly runtime: WorkerRuntime,
    readonly protocol: string,
    peer: Peer,
    /** Outbound connections have their own callbacks; inbound ones use the App's. */
    protected readonly handlers: ConnectionHandlers | null = null,
  ) {
    this.id = runtime.nextConnectionId();
    this.remoteAddress = peer.remoteAddress;
    this.remotePort = peer.remotePort;
    this.localPort = peer.localPort;
    this.maxSendBufferSize = runtime.config.maxSendBufferSize;
    this.maxPackageSize = runtime.config.maxPackageSize;
  }

  /** Made on first use: most connections of a busy server never need one (idle memory counts). */
  get context(): Record<string, unknown> {
    return (this.#context ??= {});
  }

  set context(value: Record<string, unknown>) {
    this.#context = value;
  }

  get worker() {
    return this.runtime;
  }

  get outbound(): boolean {
    return this.handlers !== null;
  }

  abstract get pendingSendBytes(): number;
  abstract send(data: unknown): boolean | null;
  abstract close(data?: unknown): void;
  abstract destroy(): void;
  abstract pauseRecv(): void;
  abstract resumeRecv(): void;

  pipe(dest: Connection): Connection {
    if (!(dest instanceof BaseConnection)) throw new TypeError("pipe(dest): dest must be a connection of this worker");
    const previous = this.#pipeTo;
    if (previous !== null) previous.#feeders?.delete(this);
    this.#pipeTo = dest;
    (dest.#feeders ??= new Set()).add(this);
    if (dest.bufferFull) this.pauseRecv();
    return dest;
  }

  /** Calls one of this connection's callbacks: its own handlers if it has them (outbound), else the App's. */
  protected emit(callback: AppCallback, ...args: unknown[]): void {
    if (this.handlers === null) this.runtime.call(callback, this, ...args);
    else this.runtime.callOn(this.handlers, callback, this, ...args);
  }

  /** Registers the connection and tells the handler. */
  protected opened(): void {
    this.runtime.add(this);
    this.emit("onConnect");
  }

  /** Idempotent: the transport reports the close once, however it came. */
  protected finished(): void {
    if (this.closed) return;
    this.closed = true;
    this.runtime.remove(this);
    const dest = this.#pipeTo;
    if (dest !== null) {
      this.#pipeTo = null;
      dest.#feeders?.delete(this);
      dest.close();
    }
    this.emit("onClose");
  }

  protected received(bytes: number): void {
    this.bytesRead += bytes;
    this.runtime.counters.bytesRead += bytes;
  }

  protected wrote(bytes: number): void {
    this.bytesWritten += bytes;
    this.runtime.counters.bytesWritten += bytes;
  }

  /** A send was refused: closed, or the send buffer is full (Workerman's send-fail). */
  protected sendFailed(): false {
    this.runtime.counters.sendFail++;
    return false;
  }

  protected markBufferFull(): void {
    if (this.bufferFull) return;
    this.bufferFull = true;
    if (this.#feeders !== null) for (const feeder of this.#feeders) feeder.pauseRecv();
    this.emit("onBufferFull");
  }

  protected markDrained(): void {
    if (!this.bufferFull) return;
    this.bufferFull = false;
    if (this.#feeders !== null) for (const feeder of this.#feeders) feeder.resumeRecv();
    this.emit("onBufferDrain");
  }

  /** Hands one decoded message to the handler, or to the piped destination. */
  protected deliver(message: unknown): void {
    this.runtime.counters.requests++;
    // Spelled out rather than through emit(): no rest-argument array per message.
    if (this.#pipeTo !== null) this.#pipeTo.send(message);
    else this.runtime.callMessage(this.handlers ?? this.runtime.app, this, message);
  }

  info(): ConnectionInfo {
    return {
      id: this.id,
      protocol: this.protocol,
      remoteAddress: this.remoteAddress,
      remotePort: this.remotePort,
      localPort: this.localPort,
      bytesRead: this.bytesRead,
      bytesWritten: this.bytesWritten,
      pendingSendBytes: this.pendingSendBytes,
      openedAt: this.openedAt,
      outbound: this.outbound,
    };
  }
}

/** Turns what a handler passes to send() into bytes or a string without copying when it can. */
export function toWire(data: unknown): string | Uint8Array {
  if (typeof data === "string" || data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data === undefined || data === null) return "";
  return typeof data === "object" ? JSON.stringify(data) : String(data);
}

// What every kind of connection shares: identity, byte counters, the send-buffer accounting and close bookkeeping.
import type { ConnectionInfo } from "../ipc.ts";
import type { WorkerRuntime } from "./runtime.ts";
import type { Connection } from "./types.ts";

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
  readonly localPort: number;
  bytesRead = 0;
  bytesWritten = 0;
  maxSendBufferSize: number;
  maxPackageSize: number;
  context: Record<string, unknown> = {};
  closed = false;
  /** True between onBufferFull and onBufferDrain. */
  protected bufferFull = false;

  constructor(
    readonly runtime: WorkerRuntime,
    readonly protocol: string,
    peer: Peer,
  ) {
    this.id = runtime.nextConnectionId();
    this.remoteAddress = peer.remoteAddress;
    this.remotePort = peer.remotePort;
    this.localPort = peer.localPort;
    this.maxSendBufferSize = runtime.config.maxSendBufferSize;
    this.maxPackageSize = runtime.config.maxPackageSize;
  }

  get worker() {
    return this.runtime;
  }

  abstract get pendingSendBytes(): number;
  abstract send(data: unknown): boolean | null;
  abstract close(data?: unknown): void;
  abstract destroy(): void;
  abstract pauseRecv(): void;
  abstract resumeRecv(): void;

  /** Registers the connection and tells the handler. */
  protected opened(): void {
    this.runtime.add(this);
    this.runtime.call("onConnect", this);
  }

  /** Idempotent: the transport reports the close once, however it came. */
  protected finished(): void {
    if (this.closed) return;
    this.closed = true;
    this.runtime.remove(this);
    this.runtime.call("onClose", this);
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
    this.runtime.call("onBufferFull", this);
  }

  protected markDrained(): void {
    if (!this.bufferFull) return;
    this.bufferFull = false;
    this.runtime.call("onBufferDrain", this);
  }

  /** Hands one decoded message to the handler. */
  protected deliver(message: unknown): void {
    this.runtime.counters.requests++;
    this.runtime.call("onMessage", this, message);
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

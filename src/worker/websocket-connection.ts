// A WebSocket connection: Bun's ServerWebSocket behind the Connection API, with Bun's backpressure mapped to Workerman's.
import type { ServerWebSocket } from "bun";
import type { AppError } from "../errors.ts";
import { BaseConnection, FIRST_SUBCLASS_FLAG, type Peer } from "./connection.ts";
import { toWire } from "./wire.ts";
import type { ConnectionHost } from "./connection-host.ts";

const PAUSED = FIRST_SUBCLASS_FLAG;

export class WebSocketConnection extends BaseConnection {
  #ws: ServerWebSocket<WebSocketConnection> | null = null;

  constructor(runtime: ConnectionHost, peer: Peer) {
    super(runtime, "websocket", peer);
  }

  /** The handshake is done: the connection is live. */
  attach(ws: ServerWebSocket<WebSocketConnection>): void {
    this.#ws = ws;
    if ((this.flags & PAUSED) !== 0) ws.pause();
    this.opened();
  }

  get pendingSendBytes(): number {
    return this.#ws?.getBufferedAmount() ?? 0;
  }

  send(data: unknown): boolean | null {
    this.countSend();
    const ws = this.#ws;
    // No readyState check: it is a native call per send, and send() on a closed socket returns 0 anyway.
    if (!ws || this.closed) return this.sendFailed();
    if (this.bufferFull) return this.sendFailed();
    const wire = toWire(data);
    const result = ws.send(wire);
    if (result === 0) return this.sendFailed();
    if (result > 0) {
      this.wrote(result);
      return true;
    }
    // -1: Bun queued it; past maxSendBufferSize further sends fail until drain.
    this.wrote(typeof wire === "string" ? Buffer.byteLength(wire) : wire.byteLength);
    if (ws.getBufferedAmount() >= this.maxSendBufferSize) this.markBufferFull();
    return null;
  }

  close(data?: unknown, code = 1000, reason = ""): void {
    if (!this.#ws || this.closed) return;
    if (data !== undefined) this.send(data);
    this.#ws.close(code, reason);
  }

  destroy(): void {
    if (!this.#ws || this.closed) return;
    this.#ws.terminate();
  }

  pauseRecv(): void {
    this.flags |= PAUSED;
    this.#ws?.pause();
  }

  resumeRecv(): void {
    if ((this.flags & PAUSED) === 0) return;
    this.flags &= ~PAUSED;
    const extra = this.extra;
    const held = extra === null ? null : extra.held;
    if (held !== null) {
      extra!.held = null;
      for (let i = 0; i < held.length; i++) {
        if (this.closed) return;
        if ((this.flags & PAUSED) !== 0) return void (extra!.held = held.slice(i));
        this.deliver(held[i]);
      }
    }
    this.#ws?.resume();
  }

  onMessage(message: string | Buffer): void {
    // Text frames count UTF-16 units, exact for ASCII: measuring UTF-8 bytes cost ~10% of a busy worker's CPU.
    this.received(message.length);
    // Bun still delivers messages it read before pause(): keep them (copied: Bun may reuse the buffer) for resumeRecv().
    if ((this.flags & PAUSED) !== 0) return void (this.extras().held ??= []).push(typeof message === "string" ? message : Buffer.from(message));
    this.deliver(message);
  }

  onDrain(): void {
    this.markDrained();
  }

  /** Bun closed the connection for a peer's bad frame: the handler hears of it (onError, E_PROTOCOL) before onClose. */
  onProtocolFault(error: AppError): void {
    this.runtime.reportProtocolError(this, error);
    this.emit("onError", error);
  }

  onClosed(): void {
    const extra = this.extra;
    if (extra !== null) extra.held = null;
    this.finished();
  }
}

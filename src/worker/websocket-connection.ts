// A WebSocket connection: Bun's ServerWebSocket behind the Connection API, with Bun's backpressure mapped to Workerman's.
import type { ServerWebSocket } from "bun";
import { BaseConnection, toWire, type Peer } from "./connection.ts";
import type { WorkerRuntime } from "./runtime.ts";

export class WebSocketConnection extends BaseConnection {
  #ws: ServerWebSocket<WebSocketConnection> | null = null;

  constructor(runtime: WorkerRuntime, peer: Peer) {
    super(runtime, "websocket", peer);
  }

  /** The handshake is done: the connection is live. */
  attach(ws: ServerWebSocket<WebSocketConnection>): void {
    this.#ws = ws;
    this.opened();
  }

  get pendingSendBytes(): number {
    return this.#ws?.getBufferedAmount() ?? 0;
  }

  send(data: unknown): boolean | null {
    const ws = this.#ws;
    if (!ws || this.closed || ws.readyState !== 1) return this.sendFailed();
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

  // Bun offers no per-socket read pause for WebSockets: these are no-ops here (stream connections honour them).
  pauseRecv(): void {}
  resumeRecv(): void {}

  onMessage(message: string | Buffer): void {
    this.received(typeof message === "string" ? Buffer.byteLength(message) : message.byteLength);
    this.deliver(message);
  }

  onDrain(): void {
    this.markDrained();
  }

  onClosed(): void {
    this.finished();
  }
}

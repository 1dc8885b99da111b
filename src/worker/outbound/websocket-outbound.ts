// An outbound ws:// or wss:// connection over Bun's WebSocket client, with the Connection API and reconnect().
import { BaseConnection } from "../connection.ts";
import { toWire } from "../wire.ts";
import type { ConnectionHost } from "../connection-host.ts";
import type { ConnectionHandlers, OutboundConnection } from "../types.ts";
import { ReconnectTimer, connectFailed } from "./reconnect.ts";

/** The client WebSocket has no drain event: while it is full, look at its buffer this often. */
const DRAIN_POLL_MS = 10;
const OPEN = 1;

export class OutboundWebSocketConnection extends BaseConnection implements OutboundConnection {
  #ws: WebSocket | null = null;
  /** Messages sent before the handshake completed, with their byte total. */
  #early: (string | Uint8Array)[] = [];
  #earlyBytes = 0;
  #poll: ReturnType<typeof setInterval> | null = null;
  #paused = false;
  readonly #retry = new ReconnectTimer(() => this.connect());

  constructor(
    runtime: ConnectionHost,
    private readonly url: URL,
    private readonly tls: { rejectUnauthorized?: boolean; ca?: string } | undefined,
    handlers: ConnectionHandlers,
  ) {
    super(runtime, "websocket", { remoteAddress: url.hostname, remotePort: Number(url.port) || (url.protocol === "wss:" ? 443 : 80), localPort: 0 }, handlers);
  }

  get pendingSendBytes(): number {
    return this.#ws?.readyState === OPEN ? this.#ws.bufferedAmount : this.#earlyBytes;
  }

  connect(): void {
    // Bun's client takes { tls } as a second argument; the DOM typing only knows subprotocols.
    const ws = this.tls ? new WebSocket(this.url.href, { tls: this.tls } as unknown as string[]) : new WebSocket(this.url.href);
    ws.binaryType = "nodebuffer" as BinaryType;
    this.#ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      if (this.#paused) (ws as unknown as { pause(): void }).pause();
      this.opened();
      for (const message of this.#early.splice(0)) ws.send(message);
      this.#earlyBytes = 0;
    };
    ws.onmessage = (event) => {
      const data = event.data as string | Buffer;
      this.received(typeof data === "string" ? Buffer.byteLength(data) : data.byteLength);
      this.deliver(data);
    };
    ws.onerror = (event) => {
      if (ws !== this.#ws) return;
      const message = (event as ErrorEvent).message || "WebSocket error";
      this.emit("onError", opened ? new Error(message) : connectFailed(this.url.href, message));
    };
    ws.onclose = () => {
      if (ws !== this.#ws) return;
      this.#stopPolling();
      this.finished();
    };
  }

  send(data: unknown): boolean | null {
    this.countSend();
    if (this.closed) return this.sendFailed();
    const ws = this.#ws;
    const wire = toWire(data);
    if (ws === null || ws.readyState !== OPEN) {
      if (this.#earlyBytes >= this.maxSendBufferSize) return this.sendFailed();
      this.#early.push(typeof wire === "string" ? wire : wire.slice());
      this.#earlyBytes += typeof wire === "string" ? Buffer.byteLength(wire) : wire.byteLength;
      return null;
    }
    if (ws.bufferedAmount >= this.maxSendBufferSize) return this.sendFailed();
    ws.send(wire);
    this.wrote(typeof wire === "string" ? Buffer.byteLength(wire) : wire.byteLength);
    if (ws.bufferedAmount === 0) return true;
    if (ws.bufferedAmount >= this.maxSendBufferSize) this.#full();
    return null;
  }

  #full(): void {
    this.markBufferFull();
    this.#poll ??= setInterval(() => {
      if ((this.#ws?.bufferedAmount ?? 0) > 0) return;
      this.#stopPolling();
      this.markDrained();
    }, DRAIN_POLL_MS);
  }

  #stopPolling(): void {
    if (this.#poll !== null) clearInterval(this.#poll);
    this.#poll = null;
  }

  reconnect(afterSeconds = 0): void {
    if (this.runtime.stopping) return;
    const old = this.#ws;
    this.#ws = null;
    if (old !== null && !this.closed) {
      this.finished();
      old.close();
    }
    this.closed = false;
    this.#retry.schedule(afterSeconds);
  }

  close(data?: unknown): void {
    this.#retry.cancel();
    if (data !== undefined) this.send(data);
    if (this.#ws === null) return this.finished();
    this.#ws.close(1000);
  }

  destroy(): void {
    this.#retry.cancel();
    const ws = this.#ws;
    if (ws === null) return this.finished();
    (ws as unknown as { terminate?: () => void }).terminate?.() ?? ws.close();
  }

  pauseRecv(): void {
    this.#paused = true;
    (this.#ws as unknown as { pause?: () => void } | null)?.pause?.();
  }

  resumeRecv(): void {
    this.#paused = false;
    (this.#ws as unknown as { resume?: () => void } | null)?.resume?.();
  }
}

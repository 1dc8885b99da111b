// An outbound tcp/text/frame/unix connection (Workerman's AsyncTcpConnection): sends queue while connecting, reconnect() on demand.
import type { Socket, SocketHandler, TLSOptions } from "bun";
import type { Protocol } from "../../protocols/protocol.ts";
import type { ConnectionHost } from "../connection-host.ts";
import { StreamConnection } from "../stream-connection.ts";
import type { ConnectionHandlers, OutboundConnection } from "../types.ts";
import { ReconnectTimer, connectFailed } from "./reconnect.ts";

export type StreamTarget = { hostname: string; port: number } | { unix: string };

/** One handler object for every outbound socket: each socket's data is its connection. */
const OUTBOUND_SOCKET: SocketHandler<OutboundStreamConnection> = {
  open: (socket) => socket.data.onOpen(socket),
  data: (socket, chunk) => socket.data.onData(chunk),
  drain: (socket) => socket.data.onDrain(),
  // A late close of a socket a reconnect already replaced says nothing about the connection now.
  close: (socket) => void (socket.data.socket === (socket as unknown) && socket.data.onClosed()),
  error: (socket, error) => socket.data.onSocketError(error),
};

export class OutboundStreamConnection extends StreamConnection implements OutboundConnection {
  readonly #retry = new ReconnectTimer(() => this.connect());
  #attempt = 0;

  constructor(
    runtime: ConnectionHost,
    private readonly target: StreamTarget,
    private readonly tls: TLSOptions | boolean | undefined,
    protocolName: string,
    framing: Protocol | null,
    handlers: ConnectionHandlers,
  ) {
    const peer = "unix" in target ? { remoteAddress: target.unix, remotePort: 0 } : { remoteAddress: target.hostname, remotePort: target.port };
    super(runtime, null, protocolName, framing, { ...peer, localPort: 0 }, handlers);
  }

  /** Starts one connection attempt; an attempt a later reconnect() superseded is dropped when it lands. */
  connect(): void {
    const attempt = ++this.#attempt;
    const options = { ...this.target, tls: this.tls, data: this, socket: OUTBOUND_SOCKET };
    (Bun.connect as (o: typeof options) => Promise<Socket<OutboundStreamConnection>>)(options).then(
      (socket) => {
        if (attempt !== this.#attempt) socket.terminate();
      },
      (err: unknown) => {
        if (attempt !== this.#attempt) return;
        this.emit("onError", connectFailed(this.describe(), err));
        this.onClosed();
      },
    );
  }

  reconnect(afterSeconds = 0): void {
    if (this.runtime.stopping) return;
    if (this.socket !== null && !this.closed) {
      // Replacing a live socket: its close will be ignored, so tell the handler now.
      const old = this.socket;
      this.onClosed();
      old.terminate();
    }
    this.#attempt++;
    this.detach();
    // Sends between now and the next open are queued, as Workerman does.
    this.closed = false;
    this.#retry.schedule(afterSeconds);
  }

  override close(data?: unknown): void {
    this.#retry.cancel();
    if (this.socket === null && !this.closed) {
      this.#attempt++;
      return this.onClosed();
    }
    super.close(data);
  }

  override destroy(): void {
    this.#retry.cancel();
    this.#attempt++;
    super.destroy();
  }

  onOpen(socket: Socket<OutboundStreamConnection>): void {
    this.attach(socket as unknown as Socket<StreamConnection>, socket.localPort);
  }

  onSocketError(error: Error): void {
    this.emit("onError", error);
  }

  describe(): string {
    return "unix" in this.target ? `unix://${this.target.unix}` : `${this.protocol}://${this.target.hostname}:${this.target.port}`;
  }
}

// An outbound udp:// "connection": a node:dgram socket that sends to one peer and hands that peer's datagrams to onMessage.
import type dgram from "node:dgram";
import { BaseConnection } from "../connection.ts";
import { toWire } from "../wire.ts";
import type { ConnectionHost } from "../connection-host.ts";
import type { ConnectionHandlers, OutboundConnection } from "../types.ts";
import { ReconnectTimer } from "./reconnect.ts";

export class OutboundUdpConnection extends BaseConnection implements OutboundConnection {
  #socket: dgram.Socket | null = null;
  #paused = false;
  readonly #retry = new ReconnectTimer(() => this.connect());

  constructor(runtime: ConnectionHost, host: string, port: number, handlers: ConnectionHandlers) {
    super(runtime, "udp", { remoteAddress: host, remotePort: port, localPort: 0 }, handlers);
  }

  get pendingSendBytes(): number {
    return 0;
  }

  connect(): void {
    // Loaded on the first outbound udp:// connection: every worker imports this file, few use it, and it is on the start path.
    const socket = process.getBuiltinModule("node:dgram").createSocket(this.remoteAddress.includes(":") ? "udp6" : "udp4");
    this.#socket = socket;
    socket.on("error", (err) => this.emit("onError", err));
    socket.on("message", (message, rinfo) => {
      // Only the peer's datagrams: anyone may write to an unconnected port.
      if (rinfo.port !== this.remotePort || this.#paused) return;
      this.received(message.byteLength);
      this.deliver(message);
    });
    socket.bind(0, () => {
      if (socket !== this.#socket) return;
      this.localPort = socket.address().port;
      this.opened();
    });
  }

  send(data: unknown): boolean {
    this.countSend();
    const socket = this.#socket;
    if (this.closed || socket === null) return this.sendFailed();
    const wire = toWire(data);
    socket.send(wire, this.remotePort, this.remoteAddress, (err) => {
      if (err) this.sendFailed();
    });
    this.wrote(typeof wire === "string" ? Buffer.byteLength(wire) : wire.byteLength);
    return true;
  }

  reconnect(afterSeconds = 0): void {
    if (this.runtime.stopping) return;
    this.#shut();
    this.closed = false;
    this.#retry.schedule(afterSeconds);
  }

  close(data?: unknown): void {
    if (data !== undefined) this.send(data);
    this.destroy();
  }

  destroy(): void {
    this.#retry.cancel();
    this.#shut();
  }

  #shut(): void {
    const socket = this.#socket;
    this.#socket = null;
    socket?.close();
    this.finished();
  }

  // UDP has no flow control to push back with: datagrams that arrive while paused are dropped.
  pauseRecv(): void {
    this.#paused = true;
  }

  resumeRecv(): void {
    this.#paused = false;
  }
}

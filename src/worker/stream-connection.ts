// A connection over a Bun stream socket (tcp, unix), with Workerman's send buffer and optional packet framing.
import type { Socket } from "bun";
import { PacketReader } from "../protocols/packet-reader.ts";
import type { Protocol } from "../protocols/protocol.ts";
import { BaseConnection, toWire, type Peer } from "./connection.ts";
import type { WorkerRuntime } from "./runtime.ts";

export class StreamConnection extends BaseConnection {
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #closing = false;
  readonly #reader: PacketReader<unknown> | null;

  constructor(
    runtime: WorkerRuntime,
    readonly socket: Socket<StreamConnection>,
    protocolName: string,
    private readonly framing: Protocol | null,
    peer: Peer,
  ) {
    super(runtime, protocolName, peer);
    this.#reader = framing ? new PacketReader(framing, this) : null;
    this.opened();
  }

  get pendingSendBytes(): number {
    return this.#pendingBytes;
  }

  send(data: unknown): boolean | null {
    if (this.closed || this.#closing) return this.sendFailed();
    const wire = this.framing ? this.framing.encode(data, this) : toWire(data);
    if (this.#pendingBytes > 0) return this.#queue(typeof wire === "string" ? Buffer.from(wire) : wire);
    const size = typeof wire === "string" ? Buffer.byteLength(wire) : wire.byteLength;
    const written = this.socket.write(wire);
    if (written < 0) return this.sendFailed();
    this.wrote(written);
    if (written === size) return true;
    const bytes = typeof wire === "string" ? Buffer.from(wire) : wire;
    return this.#queue(bytes.subarray(written));
  }

  #queue(bytes: Uint8Array): boolean | null {
    if (this.bufferFull) return this.sendFailed();
    // Copy: the caller may reuse its buffer after send() returns.
    this.#pending.push(bytes.slice());
    this.#pendingBytes += bytes.byteLength;
    if (this.#pendingBytes >= this.maxSendBufferSize) this.markBufferFull();
    return null;
  }

  /** The kernel has room again: flush the queued tail. */
  onDrain(): void {
    while (this.#pending.length > 0) {
      const head = this.#pending[0]!;
      const written = this.socket.write(head);
      if (written < 0) return;
      this.wrote(written);
      this.#pendingBytes -= written;
      if (written < head.byteLength) {
        this.#pending[0] = head.subarray(written);
        return;
      }
      this.#pending.shift();
    }
    this.markDrained();
    if (this.#closing) this.socket.end();
  }

  onData(chunk: Buffer): void {
    this.received(chunk.byteLength);
    if (!this.#reader) return this.deliver(chunk);
    let messages: unknown[];
    try {
      messages = this.#reader.push(chunk);
    } catch (err) {
      this.runtime.reportProtocolError(this, err);
      return this.destroy();
    }
    for (const message of messages) {
      if (this.closed) return;
      this.deliver(message);
    }
  }

  close(data?: unknown): void {
    if (this.closed || this.#closing) return;
    if (data !== undefined) this.send(data);
    this.#closing = true;
    if (this.#pendingBytes === 0) this.socket.end();
  }

  destroy(): void {
    if (this.closed) return;
    this.socket.terminate();
    this.onClosed();
  }

  /** The transport is gone, whoever closed it. */
  onClosed(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.finished();
  }

  pauseRecv(): void {
    this.socket.pause();
  }

  resumeRecv(): void {
    this.socket.resume();
  }
}

// A connection over a Bun stream socket (tcp, unix), with Workerman's send buffer, read pausing and optional framing.
import type { Socket } from "bun";
import { type EncodeInto, encodeIntoOf } from "../protocols/encode-into.ts";
import { PacketReader } from "../protocols/packet-reader.ts";
import type { Protocol } from "../protocols/protocol.ts";
import { BIG_BUFFER, releaseBuffer } from "../released-memory.ts";
import type { Peer } from "./connection.ts";
import { ACTIVE, CLOSING, PAUSED, STALL_MASK, SweptConnection } from "./swept-connection.ts";
import { BATCH_BYTES, ReplyBatch } from "./reply-batch.ts";
import { toWire } from "./wire.ts";
import type { ConnectionHost } from "./connection-host.ts";
import type { ConnectionHandlers } from "./types.ts";

export { MAX_QUIET_SWEEPS } from "./swept-connection.ts";

/**
 * Replies sent while one received chunk is being handled, written together when it is done: one write(2) for many
 * messages instead of one each (measured: text echo 8.5 -> 1.5 µs a message).
 */
const batch = new ReplyBatch<StreamConnection>();

export class StreamConnection extends SweptConnection {
  /** null while an outbound connection is still connecting (sends queue until it opens). */
  socket: Socket<StreamConnection> | null;
  /** The framing's way to encode straight into the reply batch, when it has one. */
  readonly #encodeInto: EncodeInto | null;

  constructor(
    runtime: ConnectionHost,
    socket: Socket<StreamConnection> | null,
    protocolName: string,
    framing: Protocol | null,
    peer: Peer,
    handlers: ConnectionHandlers | null = null,
  ) {
    super(runtime, protocolName, peer, handlers, framing);
    this.socket = socket;
    this.#encodeInto = encodeIntoOf(framing);
    // Opening counts as traffic: the first sweep after it must not count a quiet period that has not passed.
    this.flags |= ACTIVE;
    if (socket !== null) this.opened();
  }

  get pendingSendBytes(): number {
    const extra = this.extra;
    return extra === null ? 0 : extra.pendingBytes;
  }

  send(data: unknown): boolean | null {
    this.countSend();
    if ((this.flags & CLOSING) !== 0 || this.closed) return this.sendFailed();
    const socket = this.socket;
    const extra = this.extra;
    if (batch.owner === this && this.#encodeInto !== null && (extra === null || extra.pendingBytes === 0)) {
      const size = this.#encodeInto(data, batch.buffer, batch.size, BATCH_BYTES - batch.size);
      if (size >= 0) {
        batch.size += size;
        return true;
      }
    }
    const wire = this.framing ? this.framing.encode(data, this) : toWire(data);
    if ((extra !== null && extra.pendingBytes > 0) || socket === null) return this.#queue(typeof wire === "string" ? Buffer.from(wire) : wire);
    if (batch.owner === this) {
      if (batch.add(wire)) return true;
      // Full: what is batched goes first; if the kernel did not take all of it, this reply queues behind it.
      this.#flushBatch();
      if (this.pendingSendBytes > 0) return this.#queue(typeof wire === "string" ? Buffer.from(wire) : wire);
      if (this.closed) return this.sendFailed();
      if (batch.add(wire)) return true;
    }
    return this.#write(socket, wire);
  }

  /** Writes what the batch holds (the owner's replies); dropped when the connection has closed meanwhile. */
  #flushBatch(): void {
    const size = batch.size;
    batch.size = 0;
    const socket = this.socket;
    if (size === 0 || socket === null || this.closed) return;
    const written = socket.write(batch.buffer, 0, size);
    if (written < 0) return void this.sendFailed();
    this.flags |= ACTIVE;
    this.wrote(written);
    if (written < size) this.#queue(batch.buffer.subarray(written, size));
  }

  #write(socket: Socket<StreamConnection>, wire: string | Uint8Array): boolean | null {
    const size = typeof wire === "string" ? Buffer.byteLength(wire) : wire.byteLength;
    const written = socket.write(wire);
    if (written < 0) return this.sendFailed();
    this.flags |= ACTIVE;
    this.wrote(written);
    if (written === size) return true;
    const bytes = typeof wire === "string" ? Buffer.from(wire) : wire;
    return this.#queue(bytes.subarray(written));
  }

  /** Workerman's rule: refuse while the buffer holds maxSendBufferSize or more; so it never exceeds that plus one message. */
  #queue(bytes: Uint8Array): boolean | null {
    const io = this.extras();
    if (io.pendingBytes >= this.maxSendBufferSize) return this.sendFailed();
    // Copy: the caller may reuse its buffer after send() returns.
    (io.pending ??= []).push(bytes.slice());
    io.pendingBytes += bytes.byteLength;
    if (io.pendingBytes >= this.maxSendBufferSize) this.markBufferFull();
    return null;
  }

  /** The kernel has room again (or an outbound socket just opened): flush the queued tail. */
  onDrain(): void {
    const socket = this.socket;
    if (socket === null) return;
    const io = this.extra;
    const pending = io === null ? null : io.pending;
    while (pending !== null && pending.length > 0) {
      const head = pending[0]!;
      const written = socket.write(head);
      if (written < 0) return;
      this.flags |= ACTIVE;
      this.wrote(written);
      io!.pendingBytes -= written;
      if (written < head.byteLength) {
        pending[0] = head.subarray(written);
        return;
      }
      pending.shift();
    }
    this.markDrained();
    if ((this.flags & CLOSING) !== 0) socket.end();
  }

  onData(chunk: Buffer): void {
    // Not nested in practice; if it ever were, the inner chunk's replies are simply written one by one.
    if (batch.owner !== null) return this.#handleChunk(chunk);
    batch.owner = this;
    try {
      this.#handleChunk(chunk);
    } finally {
      batch.owner = null;
      this.#flushBatch();
    }
  }

  #handleChunk(chunk: Buffer): void {
    this.flags |= ACTIVE;
    this.received(chunk.byteLength);
    if (this.framing === null) {
      // Bun may still hand over a chunk it read before pause(): keep a copy, its buffer is reused.
      if ((this.flags & PAUSED) !== 0) return this.#hold([Buffer.from(chunk)], 0);
      return this.deliver(chunk);
    }
    const io = this.extras();
    if (io.failure !== null) return; // bytes after bad ones are not read
    const reader = (io.reader ??= new PacketReader(this.framing!, this));
    const before = reader.held;
    let messages: unknown[];
    try {
      messages = reader.push(chunk);
    } catch (err) {
      this.heldChanged(before, reader.held, false);
      return this.#refuse(err);
    } finally {
      // Each read comes in a fresh buffer (up to 512 KiB), garbage once parsed: freed now where nobody else can view it.
      if (chunk.byteLength >= BIG_BUFFER && reader.freesBuffers) releaseBuffer(chunk);
    }
    this.heldChanged(before, reader.held, messages.length > 0);
    this.#deliverFrom(messages, 0);
    const budget = this.runtime.input;
    if (budget.over) budget.shed();
    if (reader.failure === null) return;
    // Paused with messages still held: resumeRecv() delivers them, then refuses.
    if (io.held !== null) io.failure = reader.failure;
    else this.#refuse(reader.failure);
  }

  /**
   * The peer's bytes broke the framing: count and log it, tell the handler's onError (it may send a last reply),
   * then close. A reply the kernel does not take at once is dropped: a peer that sends garbage gets no wait.
   */
  #refuse(err: unknown): void {
    const io = this.extras();
    io.failure = err;
    io.held = null;
    if (this.closed) return;
    this.runtime.reportProtocolError(this, err);
    this.emit("onError", err);
    if (this.closed) return;
    this.close();
    if (io.pendingBytes > 0) this.destroy();
  }

  /** Delivers messages[from..] until the connection closes or the handler pauses it; the rest wait for resume. */
  #deliverFrom(messages: unknown[], from: number): void {
    for (let i = from; i < messages.length; i++) {
      if (this.closed) return;
      if ((this.flags & PAUSED) !== 0) return this.#hold(messages, i);
      this.deliver(messages[i]);
    }
  }

  #hold(messages: unknown[], from: number): void {
    const io = this.extras();
    const held = (io.held ??= []);
    for (let i = from; i < messages.length; i++) held.push(messages[i]);
  }

  close(data?: unknown): void {
    if ((this.flags & CLOSING) !== 0 || this.closed) return;
    if (data !== undefined) this.send(data);
    if (batch.owner === this) this.#flushBatch();
    this.flags |= CLOSING;
    if (this.pendingSendBytes === 0) this.socket?.end();
  }

  destroy(): void {
    if (this.closed) return;
    if (batch.owner === this) batch.size = 0;
    this.socket?.terminate();
    this.onClosed();
  }

  /** The transport is gone, whoever closed it. */
  onClosed(): void {
    // The failure stays: bytes that arrive after a close must not be read.
    const io = this.extra;
    if (io !== null) {
      io.pending = null;
      io.pendingBytes = 0;
      io.held = null;
    }
    this.dropReader();
    this.bufferFull = false;
    this.finished();
  }

  /** An outbound connection opened (again): live from now on, and what was sent while connecting goes out. */
  protected attach(socket: Socket<StreamConnection>, localPort: number): void {
    this.socket = socket;
    this.localPort = localPort;
    this.closed = false;
    this.flags &= ~CLOSING;
    if ((this.flags & PAUSED) !== 0) socket.pause();
    this.opened();
    this.onDrain();
  }

  /** Before a reconnect: a new socket starts with an empty send buffer and no half-read packet. */
  protected detach(): void {
    this.socket = null;
    this.flags &= ~(CLOSING | STALL_MASK);
    this.dropReader();
    const io = this.extra;
    if (io !== null) io.failure = null;
  }

  pauseRecv(): void {
    this.flags |= PAUSED;
    this.socket?.pause();
  }

  resumeRecv(): void {
    if ((this.flags & PAUSED) === 0) return;
    this.flags &= ~PAUSED;
    const io = this.extra;
    const held = io === null ? null : io.held;
    if (held !== null) {
      io!.held = null;
      this.#deliverFrom(held, 0);
    }
    // A handler may have paused again while the held messages were delivered.
    if ((this.flags & PAUSED) !== 0) return;
    if (io !== null && io.failure !== null && io.held === null) return this.#refuse(io.failure);
    this.socket?.resume();
  }
}

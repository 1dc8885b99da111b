// What every kind of connection shares: identity, byte counters, the send-buffer accounting and close bookkeeping.
import type { ConnectionInfo } from "../ipc.ts";
import { newExtras, type ConnectionExtras } from "./connection-extras.ts";
import type { Protocol } from "../protocols/protocol.ts";
import { siteFor, type ConnectionSite } from "./connection-site.ts";
import type { ConnectionHost } from "./connection-host.ts";
import type { AppCallback, Connection, ConnectionHandlers } from "./types.ts";

export interface Peer {
  remoteAddress: string;
  remotePort: number;
  localPort: number;
}

/** Bits of BaseConnection.flags; subclasses take theirs from FIRST_SUBCLASS_FLAG up. */
const CLOSED = 1;
const BUFFER_FULL = 2;
export const FIRST_SUBCLASS_FLAG = 4;

export abstract class BaseConnection implements Connection {
  // Every field costs 8 bytes on each of possibly 100,000 idle connections: rare state lives in #extra, booleans in flags.
  readonly id: number;
  readonly openedAt = Date.now();
  /** null until asked: a stream socket's address string is made on first use (see peerAddress). */
  /** An IPv4 address packed into a number (no string kept per connection), any other address as its text. */
  #remoteAddress: string | number;
  readonly remotePort: number;
  protected flags = 0;
  #extra: ConnectionExtras<BaseConnection> | null = null;

  #site: ConnectionSite;

  constructor(
    runtime: ConnectionHost,
    protocol: string,
    peer: Peer,
    /** Outbound connections have their own callbacks; inbound ones use the App's. */
    handlers: ConnectionHandlers | null = null,
    framing: Protocol | null = null,
  ) {
    this.#site = siteFor(runtime, protocol, handlers, framing, peer.localPort);
    this.id = runtime.nextConnectionId();
    this.#remoteAddress = packAddress(peer.remoteAddress);
    this.remotePort = peer.remotePort;
  }

  get bytesRead(): number {
    const extra = this.#extra;
    return extra === null ? 0 : extra.bytesRead;
  }

  get bytesWritten(): number {
    const extra = this.#extra;
    return extra === null ? 0 : extra.bytesWritten;
  }

  get runtime(): ConnectionHost {
    return this.#site.runtime;
  }

  get protocol(): string {
    return this.#site.protocol;
  }

  /** The outbound connection's own callbacks, or null (the App's). */
  protected get handlers(): ConnectionHandlers | null {
    return this.#site.handlers;
  }

  /** The framing protocol a stream connection cuts its bytes with, or null (raw). */
  protected get framing(): Protocol | null {
    return this.#site.framing;
  }

  get localPort(): number {
    return this.#site.localPort;
  }

  /** Only outbound connections set it (their site is their own), when a socket opens. */
  set localPort(port: number) {
    if (this.#site.handlers === null) throw new TypeError("localPort is read-only on inbound connections");
    this.#site.localPort = port;
  }

  get remoteAddress(): string {
    const address = this.#remoteAddress;
    return typeof address === "number" ? `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}` : address;
  }

  get closed(): boolean {
    return (this.flags & CLOSED) !== 0;
  }

  set closed(value: boolean) {
    this.flags = value ? this.flags | CLOSED : this.flags & ~CLOSED;
  }

  /** True between onBufferFull and onBufferDrain. */
  protected get bufferFull(): boolean {
    return (this.flags & BUFFER_FULL) !== 0;
  }

  protected set bufferFull(value: boolean) {
    this.flags = value ? this.flags | BUFFER_FULL : this.flags & ~BUFFER_FULL;
  }

  /** The extras if this connection has needed any yet, else null (read this on hot paths). */
  protected get extra(): ConnectionExtras<BaseConnection> | null {
    return this.#extra;
  }

  /** The extras, made now if this is the first time they are needed. */
  protected extras(): ConnectionExtras<BaseConnection> {
    return (this.#extra ??= newExtras());
  }

  get maxSendBufferSize(): number {
    return this.#extra?.maxSendBufferSize ?? this.#site.runtime.config.maxSendBufferSize;
  }

  set maxSendBufferSize(value: number) {
    this.extras().maxSendBufferSize = value;
  }

  get maxPackageSize(): number {
    return this.#extra?.maxPackageSize ?? this.#site.runtime.config.maxPackageSize;
  }

  set maxPackageSize(value: number) {
    this.extras().maxPackageSize = value;
  }

  /** Made on first use: most connections of a busy server never need one (idle memory counts). */
  get context(): Record<string, unknown> {
    const extras = this.extras();
    return (extras.context ??= {});
  }

  set context(value: Record<string, unknown>) {
    this.extras().context = value;
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
    const extras = this.extras();
    const previous = extras.pipeTo;
    if (previous !== null) previous.#extra?.feeders?.delete(this);
    extras.pipeTo = dest;
    (dest.extras().feeders ??= new Set()).add(this);
    if (dest.bufferFull) this.pauseRecv();
    return dest;
  }

  /** Calls one of this connection's callbacks: its own handlers if it has them (outbound), else the App's. */
  protected emit(callback: AppCallback, ...args: unknown[]): void {
    if (this.#site.handlers === null) this.#site.runtime.call(callback, this, ...args);
    else this.#site.runtime.callOn(this.#site.handlers, callback, this, ...args);
  }

  /** Registers the connection and tells the handler. */
  protected opened(): void {
    this.#site.runtime.add(this);
    this.emit("onConnect");
  }

  /** Idempotent: the transport reports the close once, however it came. */
  protected finished(): void {
    if (this.closed) return;
    this.closed = true;
    this.#site.runtime.remove(this);
    const dest = this.#extra?.pipeTo ?? null;
    if (dest !== null) {
      this.#extra!.pipeTo = null;
      dest.#extra?.feeders?.delete(this);
      dest.close();
    }
    this.emit("onClose");
  }

  protected received(bytes: number): void {
    this.extras().bytesRead += bytes;
    this.#site.runtime.counters.bytesRead += bytes;
  }

  protected wrote(bytes: number): void {
    this.extras().bytesWritten += bytes;
    this.#site.runtime.counters.bytesWritten += bytes;
  }

  /** Every send() call counts one (refused ones too): messages sent are sends minus sendFail. */
  protected countSend(): void {
    this.#site.runtime.counters.sends++;
  }

  /** A send was refused: closed, or the send buffer is full (Workerman's send-fail). */
  protected sendFailed(): false {
    this.#site.runtime.counters.sendFail++;
    return false;
  }

  protected markBufferFull(): void {
    if (this.bufferFull) return;
    this.bufferFull = true;
    const feeders = this.#extra?.feeders;
    if (feeders) for (const feeder of feeders) feeder.pauseRecv();
    this.emit("onBufferFull");
  }

  protected markDrained(): void {
    if (!this.bufferFull) return;
    this.bufferFull = false;
    const feeders = this.#extra?.feeders;
    if (feeders) for (const feeder of feeders) feeder.resumeRecv();
    this.emit("onBufferDrain");
  }

  /** Hands one decoded message to the handler, or to the piped destination. */
  protected deliver(message: unknown): void {
    this.#site.runtime.counters.requests++;
    // Spelled out rather than through emit(): no rest-argument array per message.
    const pipeTo = this.#extra === null ? null : this.#extra.pipeTo;
    if (pipeTo !== null) pipeTo.send(message);
    else this.#site.runtime.callMessage(this.#site.handlers ?? this.#site.runtime.app, this, message);
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

/** "a.b.c.d" as one number (kept unboxed by the engine: no string per idle connection); anything else as it is. */
function packAddress(address: string | undefined): string | number {
  if (!address) return "";
  let packed = 0;
  let part = -1;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const code = address.charCodeAt(i);
    if (code === 46 && part >= 0 && dots < 3) {
      packed = packed * 256 + part;
      part = -1;
      dots++;
    } else if (code >= 48 && code <= 57 && part !== 0 && (part = Math.max(part, 0) * 10 + code - 48) <= 255) {
      continue;
    } else {
      return address;
    }
  }
  return dots === 3 && part >= 0 ? packed * 256 + part : address;
}

/** The bench's rounds without counting (WORKERMAN_BENCH_UNCOUNTED=1): send() counts nothing, to measure what counting costs. */
export function skipSendCounting(): void {
  (BaseConnection.prototype as unknown as { countSend: () => void }).countSend = () => {};
}

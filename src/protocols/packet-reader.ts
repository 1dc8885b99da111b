// The per-connection state machine that cuts a byte stream into packets with a Protocol and decodes them.
import { type AppError, isAppError } from "../errors.ts";
import { releaseBuffer } from "../released-memory.ts";
import type { Protocol, ProtocolConnection } from "./protocol.ts";
import { badLength, protocolError, tooBig } from "./protocol-errors.ts";
import { isRangedProtocol, type RangedProtocol } from "./ranged-protocol.ts";

/** The reader never encodes, so M is inferred from decode alone (frame's encode also takes strings). */
export type PacketSource<M> = Pick<Protocol<M>, "input" | "decode">;

/** Past this size a kept buffer holding a small tail is swapped for a copy of the tail, so it can be freed. */
const SHRINK_MIN = 64 * 1024;

export class PacketReader<M> {
  readonly #protocol: PacketSource<M>;
  readonly #ranged: RangedProtocol<M> | null;
  readonly #conn: ProtocolConnection;
  /**
   * A ranged protocol decodes into copies (its contract) and keeps no view of what it was shown, so a buffer this
   * reader lets go has no other viewer and is freed at once; any other protocol's decode may return a view of it.
   */
  readonly freesBuffers: boolean;
  /** Bytes kept between pushes live at [#start, #end); null when none are kept. */
  #store: Buffer | null = null;
  #start = 0;
  #end = 0;
  /** A length input announced before the whole packet arrived (Workerman style), or 0. */
  #expected = 0;
  /** Bytes of the current packet input already answered 0 for (a hint for ranged protocols). */
  #seen = 0;
  #failure: AppError | null = null;

  constructor(protocol: PacketSource<M>, conn: ProtocolConnection) {
    this.#protocol = protocol;
    this.#ranged = isRangedProtocol(protocol) ? protocol : null;
    this.#conn = conn;
    this.freesBuffers = this.#ranged !== null;
  }

  /** Bytes received that do not form a complete packet yet. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Memory kept between pushes (the kept buffer's size, at least `buffered`): what the input budget counts. */
  get held(): number {
    const store = this.#store;
    return store === null ? 0 : store.length;
  }

  /** Drops what is kept (the connection is gone). */
  clear(): void {
    this.#letGo(this.#store);
    this.#store = null;
    this.#start = this.#end = this.#expected = this.#seen = 0;
  }

  /** The error that ended this reader, or null while the peer's bytes are fine. */
  get failure(): AppError | null {
    return this.#failure;
  }

  /**
   * Every message completed by this chunk, in order. Bad bytes end the reader: the messages before them are still
   * returned (check `failure` after delivering them); with none before them, or on any later push, it throws.
   */
  push(chunk: Uint8Array): M[] {
    if (this.#failure !== null) throw this.#failure;
    const messages: M[] = [];
    if (chunk.length === 0) return messages;
    try {
      // Without a kept tail the chunk is parsed in place: no copy unless a tail is left over.
      let data = chunk;
      let from = 0;
      if (this.#store !== null) {
        this.#append(chunk);
        data = this.#store.subarray(0, this.#end);
        from = this.#start;
      }
      this.#keep(data, this.#split(data, from, messages));
      return messages;
    } catch (err) {
      this.#failure = isAppError(err) ? err : protocolError("reader", err);
      this.#letGo(this.#store);
      this.#store = null;
      this.#start = this.#end = 0;
      if (messages.length > 0) return messages;
      throw this.#failure;
    }
  }

  /** Decodes every complete packet of data from offset on; returns where the unconsumed bytes start. */
  #split(data: Uint8Array, offset: number, messages: M[]): number {
    const max = this.#conn.maxPackageSize;
    while (offset < data.length) {
      const available = data.length - offset;
      let length = this.#expected;
      if (length === 0) {
        length = this.#measure(data, offset);
        if (length === 0) {
          this.#seen = available;
          if (available > max) throw tooBig(`${available} bytes arrived without a complete packet`, max);
          break;
        }
        if (length > max) throw tooBig(`a packet of ${length} bytes`, max);
      }
      this.#seen = 0;
      if (length > available) {
        this.#expected = length;
        break;
      }
      this.#expected = 0;
      messages.push(this.#decode(data, offset, offset + length));
      offset += length;
    }
    return offset;
  }

  #measure(data: Uint8Array, offset: number): number {
    let length: unknown;
    try {
      length =
        this.#ranged !== null
          ? this.#ranged.inputRange(data, offset, this.#conn, this.#seen)
          : this.#protocol.input(offset === 0 ? data : data.subarray(offset), this.#conn);
    } catch (cause) {
      throw protocolError("input", cause);
    }
    if (typeof length === "number" && Number.isInteger(length) && length >= 0) return length;
    throw badLength(length);
  }

  #decode(data: Uint8Array, start: number, end: number): M {
    try {
      return this.#ranged !== null ? this.#ranged.decodeRange(data, start, end, this.#conn) : this.#protocol.decode(data.subarray(start, end), this.#conn);
    } catch (cause) {
      throw protocolError("decode", cause);
    }
  }

  #append(chunk: Uint8Array): void {
    const store = this.#store!;
    // Writing only past #end never changes bytes already shown to input/decode: a decode may return
    // views, and #seen promises the protocol those bytes are unchanged.
    if (this.#end + chunk.length <= store.length) {
      store.set(chunk, this.#end);
      this.#end += chunk.length;
      return;
    }
    const kept = this.#end - this.#start;
    const needed = kept + chunk.length;
    // Doubling keeps a long packet arriving in small chunks linear; never past what a packet may need.
    const wanted = this.#expected > 0 ? this.#expected : this.#conn.maxPackageSize;
    const next = Buffer.allocUnsafe(Math.max(needed, Math.min(kept * 2, wanted)));
    next.set(store.subarray(this.#start, this.#end));
    next.set(chunk, kept);
    this.#letGo(store);
    this.#store = next;
    this.#start = 0;
    this.#end = needed;
  }

  #keep(data: Uint8Array, used: number): void {
    const rest = data.length - used;
    const store = this.#store;
    if (rest === 0) {
      this.#letGo(store);
      this.#store = null;
      this.#start = this.#end = 0;
    } else if (store !== null && !(store.length > SHRINK_MIN && rest * 8 < store.length)) {
      this.#start = used;
    } else {
      // Copy just the tail: the caller may reuse its chunk, and a small tail must not pin a big buffer.
      const tail = Buffer.allocUnsafe(rest);
      tail.set(data.subarray(used));
      this.#letGo(store);
      this.#store = tail;
      this.#start = 0;
      this.#end = rest;
    }
  }

  /** A kept buffer replaced or dropped: freed now when nobody else can view it (see freesBuffers). */
  #letGo(store: Buffer | null): void {
    if (store !== null && this.freesBuffers) releaseBuffer(store);
  }
}

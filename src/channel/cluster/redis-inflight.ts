// What the master has handed Redis and not yet heard back about: capped in bytes, aged for the stall check, failed together when the link goes.

interface Pending {
  at: number;
  bytes: number;
  reject: (err: Error) => void;
}

/** Bytes a command puts on the wire, near enough (RESP framing left out). */
export function commandBytes(args: readonly string[]): number {
  let bytes = 0;
  for (const arg of args) bytes += Buffer.byteLength(arg);
  return bytes;
}

export class RedisInflight {
  /** Insertion order is issue order: failAll rejects in that order, so callers fall back in the order they published. */
  readonly #pending = new Set<Pending>();
  #bytes = 0;
  #answeredAt = 0;
  /** Commands refused because the pending bytes would pass the cap, since start. */
  refused = 0;
  refusedBytes = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.#bytes;
  }

  /** False (counted) when `bytes` more would pass the cap: a Redis that does not read must not grow this process. */
  admit(bytes: number): boolean {
    if (this.#bytes + bytes <= this.maxBytes) return true;
    this.refused++;
    this.refusedBytes += bytes;
    return false;
  }

  /** Settles with `sent`, or rejects first when failAll runs (the link was declared lost). */
  track<T>(bytes: number, sent: Promise<T>): Promise<T> {
    const { promise, reject } = Promise.withResolvers<never>();
    const entry: Pending = { at: performance.now(), bytes, reject };
    this.#pending.add(entry);
    this.#bytes += bytes;
    const answered = () => void (this.#answeredAt = performance.now());
    sent.then(answered, answered);
    return Promise.race([sent, promise]).finally(() => this.#drop(entry));
  }

  /**
   * How long Redis has been silent while something waits for it: since the oldest command went out or the last
   * answer came, whichever is later (0 when nothing waits). A deep pipeline that is being answered is not silent.
   */
  silentForMs(now = performance.now()): number {
    for (const entry of this.#pending) return now - Math.max(entry.at, this.#answeredAt);
    return 0;
  }

  /** This process could not read for a while (its event loop was blocked): answers may be waiting unread, so start the clock again. */
  excuse(now = performance.now()): void {
    this.#answeredAt = now;
  }

  failAll(err: Error): void {
    const entries = [...this.#pending];
    for (const entry of entries) this.#drop(entry);
    for (const entry of entries) entry.reject(err);
  }

  #drop(entry: Pending): void {
    if (!this.#pending.delete(entry)) return;
    this.#bytes -= entry.bytes;
  }
}

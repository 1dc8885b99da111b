// Slows down guessing: after too many wrong secrets from one address within a minute, that address gets 429 for a while.
export interface ThrottleOptions {
  maxFailures: number;
  windowMs: number;
  /** Addresses remembered at most; the oldest are forgotten first (a flood of addresses cannot exhaust memory). */
  maxAddresses: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { maxFailures: 10, windowMs: 60_000, maxAddresses: 10_000 };

export class FailureThrottle {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly options: ThrottleOptions = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `address` may try again; 0 when it may now. */
  retryAfter(address: string): number {
    const recent = this.#recent(address);
    if (recent.length < this.options.maxFailures) return 0;
    // Blocked until enough of the window's failures have aged out to drop below the limit.
    const freedAt = recent[recent.length - this.options.maxFailures]! + this.options.windowMs;
    return Math.max(1, Math.ceil((freedAt - this.now()) / 1000));
  }

  fail(address: string): void {
    const recent = this.#recent(address);
    recent.push(this.now());
    this.#failures.delete(address);
    this.#failures.set(address, recent);
    if (this.#failures.size > this.options.maxAddresses) this.#failures.delete(this.#failures.keys().next().value!);
  }

  #recent(address: string): number[] {
    const since = this.now() - this.options.windowMs;
    const recent = (this.#failures.get(address) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.#failures.delete(address);
    else this.#failures.set(address, recent);
    return recent;
  }
}

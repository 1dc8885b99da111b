// Slows down guessing: too many wrong secrets within a minute from one address, or from all addresses together, earn a 429 for a while.
export interface ThrottleOptions {
  /** Wrong secrets one address may send per window. */
  maxFailures: number;
  /** Wrong secrets all addresses together may send per window: spreading guesses over 127.0.0.0/8 gains nothing. */
  maxGlobalFailures: number;
  windowMs: number;
  /** Addresses remembered at most; the oldest are forgotten first (a flood of addresses cannot exhaust memory). */
  maxAddresses: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { maxFailures: 10, maxGlobalFailures: 60, windowMs: 60_000, maxAddresses: 10_000 };

/**
 * Only failures are throttled, and callers check a credential before asking: a valid token or session is never
 * refused for anyone's failures. What the throttle bounds is how fast wrong secrets (guessable passwords above all)
 * can be tried, per address and globally.
 */
export class FailureThrottle {
  readonly #failures = new Map<string, number[]>();
  #global: number[] = [];

  constructor(
    private readonly options: ThrottleOptions = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `address` may try a secret again; 0 when it may now. */
  retryAfter(address: string): number {
    const since = this.now() - this.options.windowMs;
    this.#global = this.#global.filter((at) => at > since);
    return Math.max(this.#blockedFor(this.#recent(address), this.options.maxFailures), this.#blockedFor(this.#global, this.options.maxGlobalFailures));
  }

  /** Records a wrong secret. Kept lists hold at most the limit's worth, so a flood costs fixed memory. */
  fail(address: string): void {
    const recent = this.#recent(address);
    recent.push(this.now());
    if (recent.length > this.options.maxFailures) recent.shift();
    this.#failures.delete(address);
    this.#failures.set(address, recent);
    if (this.#failures.size > this.options.maxAddresses) this.#failures.delete(this.#failures.keys().next().value!);
    this.#global.push(this.now());
    if (this.#global.length > this.options.maxGlobalFailures) this.#global.shift();
  }

  /** Blocked until enough of the window's failures have aged out to drop below the limit. */
  #blockedFor(recent: number[], limit: number): number {
    if (recent.length < limit) return 0;
    const freedAt = recent[recent.length - limit]! + this.options.windowMs;
    return Math.max(1, Math.ceil((freedAt - this.now()) / 1000));
  }

  #recent(address: string): number[] {
    const since = this.now() - this.options.windowMs;
    const recent = (this.#failures.get(address) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.#failures.delete(address);
    else this.#failures.set(address, recent);
    return recent;
  }
}

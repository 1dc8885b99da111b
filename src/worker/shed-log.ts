// One stderr line a minute at most about connections closed or refused to protect the process, with the top addresses.

/** Distinct addresses kept per minute; past it the rest are summed as "others" (a flood from many addresses stays small). */
const MAX_ADDRESSES = 1000;
const TOP = 5;
const MINUTE_MS = 60_000;

/** What each reason says in the line after its count, e.g. budget -> "closed holding the most input past maxBufferedInput". */
export type ReasonText = Record<string, string>;

export function inputReasons(maxBufferedInput: number, packageTimeout: number): ReasonText {
  return {
    budget: `connections closed holding the most input past maxBufferedInput (${maxBufferedInput} bytes)`,
    timeout: `connections closed with a packet or body not complete within packageTimeout (${packageTimeout} s)`,
  };
}

/**
 * The first event of a quiet period is written at once (the operator sees it start); later ones within the minute
 * are summed and written when the minute is over, so a flood costs one line a minute whatever its rate.
 */
export class ShedLog {
  readonly #reasons = new Map<string, number>();
  readonly #addresses = new Map<string, number>();
  #others = 0;
  #lastWrite = -Infinity;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly texts: ReasonText,
    private readonly write: (line: string) => void = (line) => console.error(line),
    private readonly now: () => number = Date.now,
  ) {}

  record(reason: string, address: string): void {
    this.#reasons.set(reason, (this.#reasons.get(reason) ?? 0) + 1);
    const known = this.#addresses.get(address);
    if (known !== undefined || this.#addresses.size < MAX_ADDRESSES) this.#addresses.set(address, (known ?? 0) + 1);
    else this.#others++;
    const wait = this.#lastWrite + MINUTE_MS - this.now();
    if (wait <= 0) return this.flush();
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => this.flush(), wait);
    this.#timer.unref?.();
  }

  /** Writes what was recorded since the last line (nothing when nothing was). */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#reasons.size === 0) return;
    this.#lastWrite = this.now();
    const reasons = [...this.#reasons].map(([reason, n]) => `${n} ${this.texts[reason] ?? reason}`).join(", ");
    const top = [...this.#addresses]
      .sort((a, b) => b[1] - a[1])
      .slice(0, TOP)
      .map(([address, n]) => `${address || "unknown"} (${n})`);
    if (this.#others > 0) top.push(`others (${this.#others})`);
    this.write(`${reasons}; top addresses: ${top.join(", ")}`);
    this.#reasons.clear();
    this.#addresses.clear();
    this.#others = 0;
  }
}

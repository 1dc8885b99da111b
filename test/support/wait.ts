// Waits in tests for what can be observed (a condition, a promise) instead of fixed sleeps, and names the few pauses that are the point of a test.

export interface WaitOptions {
  /** Fails after this long (default 5000 ms). */
  timeoutMs?: number;
  /** What is awaited, for the failure message ("the old master to exit"). */
  what?: string;
  /** Time between checks (default 25 ms); status polls over HTTP use more. */
  intervalMs?: number;
  /** More context for the failure message (a process's output tail). */
  detail?: () => string;
}

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/** A short, readable rendering of the last value a check returned, for failure messages. */
function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/**
 * Polls `check` until it returns a truthy value and returns that; with `until`, polls until `until(value)` holds
 * and returns the value (so the failure can show a whole status, not just `false`). Fails naming `what` and the
 * last value seen; a check that throws fails at once.
 */
export function waitFor<T>(check: () => T | Promise<T>, options: WaitOptions & { until: (value: T) => boolean }): Promise<T>;
export function waitFor<T>(check: () => T | Promise<T>, options?: WaitOptions): Promise<Truthy<T>>;
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitOptions & { until?: (value: T) => boolean } = {}): Promise<T> {
  const { timeoutMs = 5000, what = "a condition", intervalMs = 25, detail, until = Boolean } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (until(value)) return value;
    if (Date.now() > deadline) {
      const more = detail ? `\n${detail()}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value seen: ${shown(value)}${more}`);
    }
    await Bun.sleep(intervalMs);
  }
}

/** Resolves with `promise`'s value, or with `fallback` if it has not settled after `ms` (a bounded wait that the caller then judges). */
export function orTimeout<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Resolves with `promise`'s value, or fails naming `what` if it has not settled after `ms` (a function is asked then, to show what had arrived). */
export async function within<T>(promise: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  const missing = Symbol("missing");
  const value = await orTimeout(promise, ms, missing);
  if (value === missing) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === "function" ? what() : what}`);
  return value as T;
}

/** True if `promise` settles within `ms`, false if it has not by then. */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return orTimeout(
    promise.then(
      () => true,
      () => true,
    ),
    ms,
    false,
  );
}

/** A function that tells whether `promise` has settled yet (to watch a `closed` promise during a deliberate pause). */
export function settledFlag(promise: Promise<unknown>): () => boolean {
  let settled = false;
  const mark = () => {
    settled = true;
  };
  promise.then(mark, mark);
  return () => settled;
}

/** Watches for `ms` whether `happened` turns truthy; resolves true as soon as it does, false if the whole time passed without it. */
export async function happensWithin(ms: number, happened: () => unknown, intervalMs = 10): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (happened()) return true;
    if (Date.now() >= deadline) return false;
    await Bun.sleep(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
  }
}

/**
 * A deliberate pause that is the point of a test ("still open past stopTimeout", "nothing arrives while paused"):
 * fails as soon as `happened` turns truthy within `ms`, naming what should not have happened.
 */
export async function expectNothingWithin(ms: number, happened: () => unknown, what: string): Promise<void> {
  if (await happensWithin(ms, happened)) throw new Error(`${what} within ${ms} ms, which should not have happened`);
}

/**
 * Polls `read` until two readings `windowMs` apart agree and returns that value: a counter that stopped moving
 * (a worker's reported count holding across a report, a writer that stalled).
 */
export async function steadyValue<T>(read: () => T | Promise<T>, options: WaitOptions & { windowMs: number }): Promise<T> {
  const { windowMs, timeoutMs = 10_000, what = "a steady value" } = options;
  let last: T | undefined;
  const steady = await waitFor(
    async () => {
      const first = await read();
      await Bun.sleep(windowMs);
      last = await read();
      return Object.is(first, last) ? { value: last } : undefined;
    },
    { ...options, timeoutMs, what, intervalMs: 0, detail: () => `last reading: ${shown(last)}${options.detail ? `\n${options.detail()}` : ""}` },
  );
  return steady.value;
}

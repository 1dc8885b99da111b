// Time as the supervisor sees it: injected, so backoff, start timeouts and settle windows are tested without waiting.
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A promise that resolves after `ms` on `clock`, and a way to drop it early. */
export function delay(clock: Clock, ms: number): { promise: Promise<void>; cancel: () => void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  const handle = clock.setTimeout(resolve, ms);
  return { promise, cancel: () => clock.clearTimeout(handle) };
}

// What a handler sees of worker.shared: a small key-value store every process of the app reaches (cluster-wide with cluster.redis).

export interface SharedSetOptions {
  /** Seconds until the key expires (gone for every reader); leave out to keep it until deleted. */
  ttlSeconds?: number;
}

export interface Shared {
  /** The value (any JSON value), or undefined when the key is absent or expired. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores a JSON value; a set without ttlSeconds clears an earlier expiry. Fails with E_LIMIT past shared.maxValueBytes or shared.maxKeys. */
  set(key: string, value: unknown, options?: SharedSetOptions): Promise<void>;
  /** Adds `by` (an integer, 1 by default) to an integer value atomically, an absent key counting as 0; returns the new value. */
  incr(key: string, by?: number): Promise<number>;
  /** Removes the key; true when it held a value. */
  delete(key: string): Promise<boolean>;
  /**
   * Sets `value` only if the key holds `expected` now (compared as JSON, object keys in any order; undefined: the key
   * must be absent), atomically across processes; true when it did.
   */
  compareAndSet(key: string, expected: unknown, value: unknown, options?: SharedSetOptions): Promise<boolean>;
}

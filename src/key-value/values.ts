// Checks what a handler hands worker.shared (keys, values, TTLs, increments) and turns values into canonical JSON text.
import { AppError } from "../errors.ts";

/** Bytes of a key (UTF-8): keys are names, not data. */
export const MAX_KEY_BYTES = 256;
/** Nesting of a value: deeper is almost surely a cycle the JSON walk would otherwise follow far. */
const MAX_DEPTH = 64;
/** Ten years: longer is a unit slip (milliseconds given as seconds). */
const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;

export function checkKey(key: unknown, call: string): string {
  if (typeof key !== "string" || key.length === 0) {
    throw new AppError("E_USAGE", `${call}: the key must be a non-empty string, not ${describe(key)}`, { field: "key" });
  }
  const bytes = Buffer.byteLength(key);
  if (bytes > MAX_KEY_BYTES) {
    throw new AppError("E_LIMIT", `${call}: the key is ${bytes} bytes, past the ${MAX_KEY_BYTES}-byte limit for worker.shared keys`, { field: "key" });
  }
  return key;
}

/** Milliseconds, or undefined for no expiry. */
export function ttlMs(options: { ttlSeconds?: unknown } | undefined, call: string): number | undefined {
  const ttl = options?.ttlSeconds;
  if (ttl === undefined) return undefined;
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_TTL_SECONDS) {
    throw new AppError("E_USAGE", `${call}: ttlSeconds must be a number of seconds above 0 and at most ${MAX_TTL_SECONDS}, not ${describe(ttl)}`, {
      field: "ttlSeconds",
    });
  }
  return Math.max(1, Math.round(ttl * 1000));
}

export function checkIncrement(by: unknown): number {
  if (typeof by !== "number" || !Number.isSafeInteger(by)) {
    throw new AppError("E_USAGE", `incr: the increment must be a whole number, not ${describe(by)}`, { field: "by" });
  }
  return by;
}

/**
 * JSON text with object keys sorted at every level, so equal values have equal text: compareAndSet compares text,
 * in the master and in a Redis script alike. Refuses what JSON would silently change (undefined, NaN, functions).
 */
export function encodeValue(value: unknown, call: string): string {
  return JSON.stringify(canonical(value, call, 0));
}

export function decodeValue<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

function canonical(value: unknown, call: string, depth: number): unknown {
  if (depth > MAX_DEPTH) throw unusable(call, `is nested deeper than ${MAX_DEPTH} levels (or refers to itself)`);
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw unusable(call, `holds ${value}, which JSON cannot carry`);
    return value;
  }
  if (value === undefined) throw unusable(call, "is undefined (delete the key instead)");
  if (typeof value !== "object") throw unusable(call, `holds a ${typeof value}, which JSON cannot carry`);
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") return canonical(withJson.toJSON(), call, depth + 1);
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : canonical(item, call, depth + 1)));
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    // As JSON.stringify does: a property holding undefined (or a function) is left out.
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    sorted[key] = canonical(item, call, depth + 1);
  }
  return sorted;
}

function unusable(call: string, what: string): AppError {
  return new AppError("E_USAGE", `${call}: the value ${what}: store JSON values (objects, arrays, strings, finite numbers, booleans, null)`, {
    field: "value",
  });
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return value === null ? "null" : typeof value === "object" ? (Array.isArray(value) ? "an array" : "an object") : String(value);
}

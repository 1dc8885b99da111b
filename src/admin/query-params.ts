// Parses the admin API's query parameters: whole numbers within bounds, times, durations, with errors a caller can act on.
/** A query parameter the route cannot use; `field` is its name. */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export function intParam(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new QueryError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`, name);
  return n;
}

/** A time as unix milliseconds or an ISO 8601 date. */
export function timeParam(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) throw new QueryError(`${name} must be unix milliseconds or an ISO 8601 date, not "${value}"`, name);
  return n;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A duration in seconds: "15", "15s", "5m", "1h", "1d". */
export function durationParam(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const match = /^(\d+)([smhd]?)$/.exec(value);
  if (!match || Number(match[1]) === 0) throw new QueryError(`${name} must be a number of seconds or a duration like 10s, 5m, 1h, not "${value}"`, name);
  return Number(match[1]) * UNIT_SECONDS[match[2] || "s"]!;
}

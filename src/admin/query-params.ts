// Parses the admin API's query parameters: whole numbers within bounds, times, durations, with errors a caller can act on.
import type { Context } from "hono";
import { z } from "zod";
import { AppError } from "../errors.ts";
import type { AdminEnv } from "./context.ts";

/** A query parameter the route cannot use (400 E_USAGE); `field` is its name, which the sentence starts with. */
export class QueryError extends AppError {
  constructor(message: string, field: string) {
    super("E_USAGE", message, { field });
  }
}

export function intParam(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  // Digits only: Number() would also read "0x10" as 16, "1e3" as 1000 and " 5" as 5.
  const n = /^-?\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
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

/** Longer than any retention the store keeps; past it a bucket's arithmetic would leave whole milliseconds. */
const MAX_DURATION_SECONDS = 366 * 86400;

/** A duration in seconds: "15", "15s", "5m", "1h", "1d", up to a year. */
export function durationParam(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const match = /^(\d{1,9})([smhd]?)$/.exec(value);
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2] || "s"]! : 0;
  if (seconds === 0 || seconds > MAX_DURATION_SECONDS) {
    throw new QueryError(`${name} must be a number of seconds or a duration like 10s, 5m, 1h (at most 366d), not "${value}"`, name);
  }
  return seconds;
}

// The same parsers as zod fields, so a route's query schema both parses (with the sentences above) and documents itself.
const field = (description: string, type: Record<string, unknown> = { type: "string" }) => ({ ...type, description });

/** A whole number from min to max; `fallback` when absent (undefined: none). */
export function intQuery<F extends number | undefined>(name: string, fallback: F, min: number, max: number, description: string) {
  const parse = (v: string | undefined): number | F => (v === undefined || v === "" ? fallback : intParam(v, name, 0, min, max));
  const about = fallback === undefined ? description : `${description} (default ${fallback})`;
  return z
    .string()
    .optional()
    .transform(parse)
    .meta(field(about, { type: "integer", minimum: min, maximum: max }));
}

/** Unix ms or an ISO 8601 date. */
export function timeQuery(name: string, description: string) {
  const parse = (v: string | undefined) => (v === undefined || v === "" ? undefined : timeParam(v, name, 0));
  return z
    .string()
    .optional()
    .transform(parse)
    .meta(field(`${description}: unix ms or an ISO 8601 date`));
}

/** Seconds, or 10s / 5m / 1h / 1d. */
export function durationQuery(name: string, description: string) {
  const parse = (v: string | undefined) => (v === undefined || v === "" ? undefined : durationParam(v, name, 0));
  return z
    .string()
    .optional()
    .transform(parse)
    .meta(field(`${description}: seconds, or 10s, 5m, 1h, 1d (at most 366d)`));
}

export const textQuery = (description: string) => z.string().optional().meta(field(description));

/** Parses the query against the route's own schema (unknown parameters are ignored); a bad value throws its QueryError. */
export function readQuery<S extends z.ZodType>(c: Context<AdminEnv>, schema: S): z.output<S> {
  return schema.parse(c.req.query());
}

// The one interface the master's two homes for worker.shared meet (SQLite on one host, Redis for a cluster), and their limit errors.
import { AppError } from "../errors.ts";

export interface SharedLimits {
  /** shared.maxKeys */
  maxKeys: number;
  /** shared.maxValueBytes */
  maxValueBytes: number;
}

/** Values are canonical JSON text; a call's failure is an AppError the worker rethrows as is. */
export interface SharedBackend {
  /** Shown in errors and logs: "the master's store" or "Redis". */
  readonly where: string;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number | undefined): Promise<void>;
  incr(key: string, by: number): Promise<number>;
  delete(key: string): Promise<boolean>;
  cas(key: string, expected: string | null, value: string, ttlMs: number | undefined): Promise<boolean>;
  close(): void;
}

export function tooManyKeys(maxKeys: number, key: string): AppError {
  return new AppError(
    "E_LIMIT",
    `worker.shared holds shared.maxKeys (${maxKeys}) keys already: "${key}" would be one more; delete keys, give them a ttlSeconds, or raise shared.maxKeys`,
    { field: "shared.maxKeys" },
  );
}

export function tooBig(bytes: number, maxValueBytes: number): AppError {
  return new AppError("E_LIMIT", `the value is ${bytes} bytes as JSON, past shared.maxValueBytes (${maxValueBytes}); store less, or raise the limit`, {
    field: "shared.maxValueBytes",
  });
}

export function notAnInteger(key: string, text: string): AppError {
  const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
  return new AppError("E_USAGE", `incr: "${key}" holds ${shown}, not a whole number; set it to a number first or use another key`, { field: "key" });
}

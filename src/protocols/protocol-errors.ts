// The errors PacketReader raises when a peer's bytes or a protocol's answers cannot be used.
import { AppError, isAppError } from "../errors.ts";

export function tooBig(what: string, max: number): AppError {
  return new AppError("E_PACKAGE_TOO_BIG", `${what}: over maxPackageSize (${max} bytes)`);
}

/** Errors the protocol raised on purpose pass through; anything else becomes E_PROTOCOL with its cause. */
export function protocolError(stage: string, cause: unknown): AppError {
  if (isAppError(cause) && (cause.code === "E_PROTOCOL" || cause.code === "E_PACKAGE_TOO_BIG")) return cause;
  const reason = cause instanceof Error ? cause.message : describe(cause);
  return new AppError("E_PROTOCOL", `protocol ${stage} failed: ${reason}`, { cause });
}

/** input answered something other than a length or 0. */
export function badLength(length: unknown): AppError {
  if (length === -1) return new AppError("E_PROTOCOL", "the protocol refused the bytes received (input returned -1)");
  return new AppError("E_PROTOCOL", `protocol input returned ${describe(length)}: expected a packet length, 0 (need more bytes) or -1 (bad bytes)`);
}

function describe(value: unknown): string {
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  try {
    return typeof value === "number" ? String(value) : `${typeof value} ${String(value)}`;
  } catch {
    return typeof value;
  }
}

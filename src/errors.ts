// The one error type the product raises on purpose: a code, a sentence a user can act on, and where.
export type ErrorCode =
  | "E_CONFIG" // app.json is wrong; exit 2
  | "E_USAGE" // the command line is wrong (exit 2), or an admin API request (400)
  | "E_HANDLER" // the user's handler module cannot be used
  | "E_PROTOCOL" // bad bytes from a peer: close that connection
  | "E_PACKAGE_TOO_BIG" // a packet over maxPackageSize: close that connection
  | "E_NOT_RUNNING" // no master answers for this config
  | "E_ALREADY_RUNNING"
  | "E_ADMIN" // the admin API refused or failed
  | "E_LISTEN" // an address cannot be bound; exit 2 when it names the app.json field (taken by another process)
  | "E_CONFLICT" // the action collides with one under way (a reload of the same group); try again once it ends
  | "E_LIMIT" // a documented bound was reached (a name's length, groups per connection, a full IPC queue)
  | "E_RESTART" // the new master of a restart did not take over (killed, failed or hung); the old one keeps serving
  | "E_START"; // a group's processes could not become ready at start; exit 2

export interface AppErrorOptions {
  field?: string;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.field = options.field;
  }

  /** `E_CONFIG: workers[1].listen: unknown scheme "tpc" (...)` */
  override toString(): string {
    return `${this.code}: ${this.field ? `${this.field}: ` : ""}${this.message}`;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Exit code for an error that ends a CLI command. */
export function exitCodeFor(err: unknown): number {
  if (isAppError(err) && (err.code === "E_CONFIG" || err.code === "E_USAGE" || err.code === "E_START")) return 2;
  // An address in app.json that another process holds is the config's conflict to fix, as an invalid one is.
  if (isAppError(err) && err.code === "E_LISTEN" && err.field !== undefined) return 2;
  return 1;
}

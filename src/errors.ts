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
  | "E_RESTART" // a restart's new master, or one process's successor, did not take over (killed, failed or hung); the old one keeps serving
  | "E_START" // a group's processes could not become ready at start; exit 2
  | HttpErrorCode;

/** What the admin plane itself refuses (its status in HTTP_STATUS). */
export type HttpErrorCode =
  | "E_AUTH" // no credential, a wrong one, or a session that has ended
  | "E_THROTTLED" // too many wrong secrets lately; Retry-After says when to try again
  | "E_FORBIDDEN" // a Host that is not the admin address, or a browser action from another origin
  | "E_NOT_FOUND" // no such route, process, connection, timer, reload or config version
  | "E_METHOD" // the route exists for other methods (listed in Allow)
  | "E_BODY_TOO_LARGE" // a body over 64 KiB
  | "E_MEDIA_TYPE" // a browser session's body not sent as application/json
  | "E_UNAVAILABLE" // the store, the channel relay, the log or a worker process is not there, or a stream limit is reached; worker.shared: Redis or the master is out of reach
  | "E_INTERNAL"; // a bug; the master logs the stack

/**
 * The one code-to-status table: the admin API answers an AppError with its code's status. Exhaustive, so a new code
 * must choose one. Where two codes share a status, the first is what a bare status (a Hono HTTPException) maps to.
 */
export const HTTP_STATUS = {
  E_USAGE: 400,
  E_LIMIT: 400,
  E_PROTOCOL: 400,
  E_AUTH: 401,
  E_FORBIDDEN: 403,
  E_NOT_FOUND: 404,
  E_METHOD: 405,
  E_CONFLICT: 409,
  E_ALREADY_RUNNING: 409,
  E_BODY_TOO_LARGE: 413,
  E_PACKAGE_TOO_BIG: 413,
  E_MEDIA_TYPE: 415,
  // app.json (or the handler it names, or an address it names) cannot be used: nothing changed.
  E_CONFIG: 422,
  E_LISTEN: 422,
  E_HANDLER: 422,
  E_THROTTLED: 429,
  E_INTERNAL: 500,
  E_RESTART: 500,
  E_START: 500,
  E_ADMIN: 502,
  E_UNAVAILABLE: 503,
  E_NOT_RUNNING: 503,
} as const satisfies Record<ErrorCode, number>;

export type HttpStatus = (typeof HTTP_STATUS)[ErrorCode];

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

  /** The status the admin API answers this error with. */
  get httpStatus(): HttpStatus {
    return HTTP_STATUS[this.code];
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

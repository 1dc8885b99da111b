// How the CLI talks to a running master: its admin URL from the runtime file, the token from the data directory.
import { AppError } from "../errors.ts";
import { findRunningMaster } from "../master/runtime-file.ts";
import type { ApiError, ApiErrorCode } from "./contract.ts";
import { loadControlConfig } from "./control-config.ts";
import { readTokenAt } from "./token.ts";

/** A master that accepts but never answers (hung, or stopped with SIGSTOP) must not hang the CLI: seconds per request. */
export const CLI_TIMEOUT_ENV = "WORKERMAN_CLI_TIMEOUT";
const DEFAULT_TIMEOUT_SECONDS = 5;

function requestTimeoutMs(): number {
  const seconds = Number(process.env[CLI_TIMEOUT_ENV]);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TIMEOUT_SECONDS) * 1000;
}

/**
 * The master refused: still E_ADMIN to the CLI (exit 1; a command that means otherwise says so), with the answer's
 * status, code and sentence for a command that reacts to one (reload turns a 422 E_CONFIG into its own exit 2).
 */
export class AdminRefusal extends AppError {
  constructor(
    message: string,
    readonly status: number,
    readonly apiCode: ApiErrorCode | undefined,
    readonly apiMessage: string,
  ) {
    super("E_ADMIN", message);
  }
}

/** `holdMs`: how long the master may hold this answer by design (a restart's `wait`), on top of the CLI's timeout. */
export async function adminRequest<T>(configPath: string, path: string, init: RequestInit = {}, holdMs = 0): Promise<T> {
  const control = await loadControlConfig(configPath);
  const master = findRunningMaster(control.dataDir);
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${readTokenAt(control.tokenPath)}`);
  const timeoutMs = requestTimeoutMs() + holdMs;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let body: T & Partial<ApiError>;
  try {
    response = await fetch(master.adminUrl + path, { ...init, headers, signal });
    // A body that is not JSON (a proxy's page) is read as {}; one cut short by the timeout is the timeout.
    body = (await response.json().catch((err: unknown) => (signal.aborted ? Promise.reject(err) : {}))) as T & Partial<ApiError>;
  } catch (err) {
    if (!signal.aborted) throw new AppError("E_ADMIN", `cannot reach the admin plane at ${master.adminUrl}: ${(err as Error).message}`);
    const pid = master.pid;
    throw new AppError(
      "E_ADMIN",
      `the master (pid ${pid}) at ${master.adminUrl} did not answer within ${timeoutMs / 1000} s (${CLI_TIMEOUT_ENV} sets the limit): ` +
        `it may be hung or stopped; \`ps -o stat= -p ${pid}\` shows T for stopped (\`kill -CONT ${pid}\` resumes it), \`kill -TERM ${pid}\` stops it`,
    );
  }
  if (!response.ok) {
    // The sentence names the field itself; a body without one (a proxy's page) falls back to the status text.
    const error = typeof body.error?.message === "string" ? body.error : undefined;
    const message = error?.message ?? response.statusText;
    throw new AdminRefusal(`${path}: ${response.status} ${message}`, response.status, error?.code, message);
  }
  return body;
}

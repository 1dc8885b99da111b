// How the CLI talks to a running master: its admin URL from the runtime file, the token from the data directory.
import { loadConfig } from "../config/load.ts";
import { AppError } from "../errors.ts";
import { findRunningMaster } from "../master/runtime-file.ts";
import type { ApiError, ApiErrorCode } from "./contract.ts";
import { readToken } from "./token.ts";

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

export async function adminRequest<T>(configPath: string, path: string, init: RequestInit = {}): Promise<T> {
  const config = await loadConfig(configPath);
  const master = findRunningMaster(config.dataDir);
  const token = readToken(config);
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  let response: Response;
  try {
    response = await fetch(master.adminUrl + path, { ...init, headers });
  } catch (err) {
    throw new AppError("E_ADMIN", `cannot reach the admin plane at ${master.adminUrl}: ${(err as Error).message}`);
  }
  const body = (await response.json().catch(() => ({}))) as T & Partial<ApiError>;
  if (!response.ok) {
    // The sentence names the field itself; a body without one (a proxy's page) falls back to the status text.
    const error = typeof body.error?.message === "string" ? body.error : undefined;
    const message = error?.message ?? response.statusText;
    throw new AdminRefusal(`${path}: ${response.status} ${message}`, response.status, error?.code, message);
  }
  return body;
}

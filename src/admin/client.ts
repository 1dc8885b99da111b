// How the CLI talks to a running master: its admin URL from the runtime file, the token from the data directory.
import { loadConfig } from "../config/load.ts";
import { AppError } from "../errors.ts";
import { findRunningMaster } from "../master/runtime-file.ts";
import { readToken } from "./token.ts";

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
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new AppError("E_ADMIN", `${path}: ${response.status} ${body.error ?? response.statusText}`);
  return body;
}

// The dashboard's one door to the master: same-origin JSON calls carrying the session cookie, failures as sentences.
import { signal } from "@preact/signals";

/** unknown until the first call answers; "out" shows the login form. */
export const session = signal<"unknown" | "in" | "out">("unknown");

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.body !== undefined) headers.set("Content-Type", "application/json");
  let response: Response;
  try {
    response = await fetch(path, { credentials: "same-origin", ...init, headers });
  } catch {
    throw new ApiError(0, "The master does not answer: is it running? The dashboard reconnects by itself.");
  }
  const body = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (response.status === 401) {
    session.value = "out";
    throw new ApiError(401, body.error ?? "Your session has ended: log in again.");
  }
  if (!response.ok) throw new ApiError(response.status, body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

export function post<T>(path: string, body: unknown = {}): Promise<T> {
  return api<T>(path, { method: "POST", body: JSON.stringify(body) });
}

export function del<T>(path: string): Promise<T> {
  return api<T>(path, { method: "DELETE" });
}

/** Exchanges the admin token for the HttpOnly session cookie; false when the master refuses the token. */
export async function login(token: string): Promise<boolean> {
  let response: Response;
  try {
    response = await fetch("/api/login", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
    });
  } catch {
    throw new ApiError(0, "The master does not answer: is it running? Start it, then log in again.");
  }
  if (response.status === 401 || response.status === 403) return false;
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new ApiError(response.status, body.error ?? `login failed: ${response.status}`);
  }
  session.value = "in";
  return true;
}

export async function logout(): Promise<void> {
  await fetch("/api/logout", { method: "POST", credentials: "same-origin" }).catch(() => undefined);
  session.value = "out";
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

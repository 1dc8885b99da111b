// The dashboard's one door to the master: same-origin JSON calls carrying the session id in X-Session (no cookie), failures as sentences.
import { signal } from "@preact/signals";
import type { ApiError as ApiErrorBody, ApiErrorCode, LoginResponse } from "../src/admin/contract.ts";

/** unknown until the first call answers; "out" shows the login form. */
export const session = signal<"unknown" | "in" | "out">("unknown");

/**
 * sessionStorage is scoped to this exact origin (port included) and to this tab: a page on another port of the host
 * cannot read it, and, unlike a cookie, the browser never sends it anywhere by itself. A reload keeps it.
 */
const SESSION_KEY = "workerman-session";

export function sessionId(): string | null {
  try {
    return sessionStorage.getItem(SESSION_KEY);
  } catch {
    return null;
  }
}

function forgetSession(): void {
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // storage disabled: nothing was kept
  }
}

/** The headers that prove who we are; every request to the master carries them. */
export function authHeaders(init?: HeadersInit): Headers {
  const headers = new Headers(init);
  const id = sessionId();
  if (id !== null) headers.set("X-Session", id);
  return headers;
}

/** A 401: the session ended (master restarted, or logged out elsewhere); the login form shows. */
export function sessionEnded(): void {
  forgetSession();
  session.value = "out";
}

/** A refusal of the master (or no answer at all: status 0), with the code and field of its error body when it had one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: ApiErrorCode,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The error of an answer's body (`{ error: { code, message, field? } }`), or the fallback sentence when it has none. */
function refusal(status: number, body: Partial<ApiErrorBody>, fallback: string): ApiError {
  const error = body.error;
  return typeof error?.message === "string" ? new ApiError(status, error.message, error.code, error.field) : new ApiError(status, fallback);
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = authHeaders(init.headers);
  if (init.body !== undefined) headers.set("Content-Type", "application/json");
  let response: Response;
  try {
    response = await fetch(path, { ...init, credentials: "omit", headers });
  } catch {
    throw new ApiError(0, "The master does not answer: is it running? The dashboard reconnects by itself.");
  }
  const body = (await response.json().catch(() => ({}))) as T & Partial<ApiErrorBody>;
  if (response.status === 401) {
    sessionEnded();
    throw refusal(401, body, "Your session has ended: log in again.");
  }
  if (!response.ok) throw refusal(response.status, body, `${response.status} ${response.statusText}`);
  return body;
}

export function post<T>(path: string, body: unknown = {}): Promise<T> {
  return api<T>(path, { method: "POST", body: JSON.stringify(body) });
}

export function del<T>(path: string): Promise<T> {
  return api<T>(path, { method: "DELETE" });
}

/** Exchanges the admin token for a session id kept in sessionStorage (the token itself is never stored); false when refused. */
export async function login(token: string): Promise<boolean> {
  let response: Response;
  try {
    response = await fetch("/api/login", {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
    });
  } catch {
    throw new ApiError(0, "The master does not answer: is it running? Start it, then log in again.");
  }
  if (response.status === 401 || response.status === 403) return false;
  const body = (await response.json().catch(() => ({}))) as Partial<LoginResponse> & Partial<ApiErrorBody>;
  if (!response.ok || typeof body.session !== "string") throw refusal(response.status, body, `login failed: ${response.status}`);
  try {
    sessionStorage.setItem(SESSION_KEY, body.session);
  } catch {
    throw new ApiError(0, "This browser refuses sessionStorage for this page, where the dashboard keeps its session: allow site data for it.");
  }
  session.value = "in";
  return true;
}

export async function logout(): Promise<void> {
  await fetch("/api/logout", { method: "POST", credentials: "omit", headers: authHeaders({ "Content-Type": "application/json" }), body: "{}" }).catch(
    () => undefined,
  );
  forgetSession();
  session.value = "out";
}

/** The sentence to show; the field in front when the master named one the sentence does not already mention. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError && err.field && !err.message.includes(err.field)) return `${err.field}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

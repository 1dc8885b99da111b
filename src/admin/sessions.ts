// Browser sessions: random ids the dashboard sends in the X-Session header (never a cookie), kept in the master's memory only, looked up by hash.
import { createHash } from "node:crypto";

/**
 * A header, not a cookie: cookies are not scoped by port, so any page on another port of this host would receive
 * one (and could overwrite it). The dashboard keeps the id in sessionStorage, which is scoped to its exact origin.
 */
export const SESSION_HEADER = "x-session";
export const SESSION_TTL_SECONDS = 12 * 3600;
const MAX_SESSIONS = 1000;

interface Session {
  expiresAt: number;
  source: string;
}

/** Keyed by SHA-256 of the id: a Map lookup's timing then says nothing about how close a guessed id was. */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  create(source: string): { id: string; expiresAt: number } {
    this.#prune();
    if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
    const expiresAt = this.now() + SESSION_TTL_SECONDS * 1000;
    this.#sessions.set(digest(id), { expiresAt, source });
    return { id, expiresAt };
  }

  valid(id: string): boolean {
    const session = this.#sessions.get(digest(id));
    if (!session) return false;
    if (session.expiresAt > this.now()) return true;
    this.#sessions.delete(digest(id));
    return false;
  }

  end(id: string): void {
    this.#sessions.delete(digest(id));
  }

  #prune(): void {
    const now = this.now();
    for (const [key, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(key);
  }
}

function digest(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}

// The push app's settings, from the environment (app.json's `env`, or the master's own environment for the secret).
import { AppError } from "workerman-app";

/** Every admitted connection is in this channel group: a broadcast goes to it, not to the control connections. */
export const EVERYONE = "push:everyone";

export interface PushSettings {
  secret: string;
  origins: Set<string>;
  lifetimeSeconds: number;
}

/** The secret shared with the web backend; E_CONFIG stops the start with a clear message instead of a worker restarting forever. */
export function readSecret(env = process.env): string {
  const secret = env.PUSH_SECRET ?? "";
  if (secret.length < 16) throw new AppError("E_CONFIG", "PUSH_SECRET must be set to the secret shared with the web backend (16 characters or more)");
  return secret;
}

export function readSettings(env = process.env): PushSettings {
  const secret = readSecret(env);
  const origins = new Set(
    (env.PUSH_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim().toLowerCase().replace(/\/$/, ""))
      .filter(Boolean),
  );
  if (origins.size === 0) throw new AppError("E_CONFIG", 'PUSH_ORIGINS must list the allowed page origins, comma-separated (e.g. "https://example.com")');
  const lifetimeSeconds = Number(env.PUSH_TOKEN_LIFETIME ?? 86_400);
  if (!Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0) throw new AppError("E_CONFIG", "PUSH_TOKEN_LIFETIME must be a number of seconds above 0");
  return { secret, origins, lifetimeSeconds };
}

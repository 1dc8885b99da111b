// The control protocol's frames: `<hex HMAC-SHA256(secret, json)>\n<json>`, the JSON carrying a time and a nonce against replays.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export type ControlTarget = { uid: string } | { all: true };

export interface ControlCommand {
  /** Unix seconds when the backend signed it; refused outside ±REPLAY_WINDOW_S. */
  time: number;
  /** Random, once per command: a listener refuses a nonce it has seen within the window. */
  nonce: string;
  to: ControlTarget;
  data: string;
}

const REPLAY_WINDOW_S = 60;
const NONCE = /^[0-9a-f]{32}$/;
/** Commands one listener process accepts per window: past it the guard refuses rather than grow without bound. */
const MAX_REMEMBERED = 100_000;

/** The nonces a listener accepted, each kept until its command's time falls out of the window (then time refuses it). */
export class ReplayGuard {
  readonly #seen = new Map<string, number>();

  /** True the first time a nonce is offered within the window; false for a replay (or when full). */
  admit(nonce: string, time: number, nowSeconds: number): boolean {
    for (const [old, expires] of this.#seen) {
      if (expires >= nowSeconds) break; // insertion order is close to expiry order; a few stragglers wait for the next call
      this.#seen.delete(old);
    }
    if (this.#seen.has(nonce) || this.#seen.size >= MAX_REMEMBERED) return false;
    this.#seen.set(nonce, time + REPLAY_WINDOW_S);
    return true;
  }
}

export function signCommand(
  secret: string,
  command: Omit<ControlCommand, "time" | "nonce">,
  time = Math.floor(Date.now() / 1000),
  nonce = randomBytes(16).toString("hex"),
): string {
  const json = JSON.stringify({ ...command, time, nonce });
  return `${createHmac("sha256", secret).update(json).digest("hex")}\n${json}`;
}

/** The command a frame carries, or why it is refused; with a guard (the listener's), a replayed frame is refused too. */
export function openCommand(secret: string, body: string, nowSeconds = Date.now() / 1000, guard?: ReplayGuard): ControlCommand | { error: string } {
  const newline = body.indexOf("\n");
  const sig = body.slice(0, Math.max(newline, 0));
  const json = body.slice(newline + 1);
  const expected = createHmac("sha256", secret).update(json).digest();
  const wellFormed = /^[0-9a-f]{64}$/i.test(sig);
  const given = wellFormed ? Buffer.from(sig, "hex") : Buffer.alloc(expected.length);
  if (newline < 0 || !timingSafeEqual(expected, given) || !wellFormed) return { error: "bad signature" };
  let command: ControlCommand;
  try {
    command = JSON.parse(json) as ControlCommand;
  } catch {
    return { error: "the body is not JSON" };
  }
  if (typeof command.time !== "number" || Math.abs(nowSeconds - command.time) > REPLAY_WINDOW_S) return { error: "stale or missing time" };
  const to = command.to as Partial<{ uid: unknown; all: unknown }> | undefined;
  const target = typeof to?.uid === "string" && to.uid !== "" ? "uid" : to?.all === true ? "all" : null;
  if (!target) return { error: 'to must be {"uid": "..."} or {"all": true}' };
  if (typeof command.data !== "string") return { error: "data must be a string" };
  if (typeof command.nonce !== "string" || !NONCE.test(command.nonce)) return { error: "missing nonce (32 hex digits)" };
  if (guard && !guard.admit(command.nonce, command.time, nowSeconds)) return { error: "replayed command (nonce already used)" };
  return command;
}

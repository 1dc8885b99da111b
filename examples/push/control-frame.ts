// The control protocol's frames: `<hex HMAC-SHA256(secret, json)>\n<json>`, the JSON carrying a time against replays.
import { createHmac, timingSafeEqual } from "node:crypto";

export type ControlTarget = { uid: string } | { all: true };

export interface ControlCommand {
  /** Unix seconds when the backend signed it; refused outside ±REPLAY_WINDOW_S. */
  time: number;
  to: ControlTarget;
  data: string;
}

const REPLAY_WINDOW_S = 60;

export function signCommand(secret: string, command: Omit<ControlCommand, "time">, time = Math.floor(Date.now() / 1000)): string {
  const json = JSON.stringify({ ...command, time });
  return `${createHmac("sha256", secret).update(json).digest("hex")}\n${json}`;
}

export function openCommand(secret: string, body: string, nowSeconds = Date.now() / 1000): ControlCommand | { error: string } {
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
  return command;
}

// Cluster commands on the Redis bus: signed with HMAC-SHA256 over a shared secret, with a timestamp and a nonce, and checked on receipt.
// Bun's native hasher and the global Web Crypto, not node:crypto: loading node:crypto costs the master 3-5 ms of CPU on
// its way to launching the first worker (measured, compiled, Bun 1.4.5), and this module is on that path.

function hmac(secret: Buffer, text: string): Buffer {
  return new Bun.CryptoHasher("sha256", secret).update(text).digest() as Buffer;
}

function randomHex(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");
}

/** On the bus beside deliveries (op "cmd"). `b` is the body as JSON text, so what is signed is exactly what was sent. */
export interface CommandEnvelope {
  op: "cmd";
  /** Sending and receiving instance ids. */
  from: string;
  to: string;
  /** Unix ms at the sender. */
  ts: number;
  nonce: string;
  kind: string;
  b: string;
  /** Hex HMAC-SHA256 of the fields above; absent on an unsigned command. */
  sig?: string;
}

/** A command is accepted this long either side of the receiver's clock (clocks of the hosts may differ a little). */
export const WINDOW_MS = 30_000;
/** Nonces seen within the window; a flood past this is refused rather than letting the memory grow. */
const MAX_NONCES = 10_000;

export type Refusal = "unsigned" | "bad signature" | "replayed" | "outside the time window" | "commands off" | "unreadable" | "too many commands";

function signedText(e: Omit<CommandEnvelope, "op" | "sig">): string {
  return ["wm-cmd-v1", e.from, e.to, String(e.ts), e.nonce, e.kind, e.b].join("\n");
}

export function signCommand(secret: Buffer, from: string, to: string, kind: string, body: unknown, now = Date.now()): CommandEnvelope {
  const fields = { from, to, ts: now, nonce: randomHex(16), kind, b: JSON.stringify(body) };
  return { op: "cmd", ...fields, sig: hmac(secret, signedText(fields)).toString("hex") };
}

/** What arrived, or why it is refused. Only commands addressed to this instance are checked (and counted). */
export class CommandGuard {
  /** nonce -> when it may be forgotten (its timestamp has left the window by then). */
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly secret: Buffer | null,
    private readonly now: () => number = Date.now,
  ) {}

  check(e: CommandEnvelope): { ok: true; body: unknown } | { ok: false; reason: Refusal } {
    if (!this.secret) return { ok: false, reason: "commands off" };
    if (typeof e.sig !== "string" || e.sig === "") return { ok: false, reason: "unsigned" };
    if (![e.from, e.to, e.nonce, e.kind, e.b].every((f) => typeof f === "string") || typeof e.ts !== "number") return { ok: false, reason: "unreadable" };
    const expected = hmac(this.secret, signedText(e));
    const given = Buffer.from(e.sig, "hex");
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { ok: false, reason: "bad signature" };
    // Only a correctly signed command reaches the nonce table: without the secret nobody can fill it.
    const now = this.now();
    if (Math.abs(now - e.ts) > WINDOW_MS) return { ok: false, reason: "outside the time window" };
    this.#forgetOld(now);
    if (this.#seen.has(e.nonce)) return { ok: false, reason: "replayed" };
    if (this.#seen.size >= MAX_NONCES) return { ok: false, reason: "too many commands" };
    this.#seen.set(e.nonce, e.ts + WINDOW_MS);
    try {
      return { ok: true, body: JSON.parse(e.b) };
    } catch {
      return { ok: false, reason: "unreadable" };
    }
  }

  #forgetOld(now: number): void {
    for (const [nonce, until] of this.#seen) if (until < now) this.#seen.delete(nonce);
  }
}

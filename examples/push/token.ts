// The push app's cookie token: digest = HMAC-SHA256(secret, token + time), checked in constant time against a lifetime.
import { createHmac, timingSafeEqual } from "node:crypto";

export type Refusal = "missing" | "digest" | "expired";

export interface TokenPolicy {
  secret: string;
  /** Seconds a signed time stays valid (default 24 h). */
  lifetimeSeconds: number;
  /** Seconds a time may lie in the future (clock skew between the web backend and this host). */
  skewSeconds?: number;
}

/** What a web backend puts into the three cookies (hex digest, time in unix seconds). */
export function signToken(secret: string, token: string, time = Math.floor(Date.now() / 1000)): { token: string; time: string; digest: string } {
  const t = String(time);
  return {
    token,
    time: t,
    digest: createHmac("sha256", secret)
      .update(token + t)
      .digest("hex"),
  };
}

export function parseCookies(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      if (!cookies.has(name)) cookies.set(name, decodeURIComponent(raw));
    } catch {
      cookies.set(name, raw);
    }
  }
  return cookies;
}

/** The token the cookies vouch for, or why they do not. */
export function verifyCookies(cookieHeader: string | null, policy: TokenPolicy, nowSeconds = Date.now() / 1000): { token: string } | { refused: Refusal } {
  const cookies = parseCookies(cookieHeader);
  const token = cookies.get("token");
  const time = cookies.get("time");
  const digest = cookies.get("digest");
  if (!token || !time || !digest || !/^\d{1,12}$/.test(time)) return { refused: "missing" };
  const expected = Buffer.from(signToken(policy.secret, token, Number(time)).digest, "hex");
  // Same length on both sides, whatever was sent, so the comparison's time says nothing about the digest.
  const wellFormed = /^[0-9a-f]{64}$/i.test(digest);
  const given = wellFormed ? Buffer.from(digest, "hex") : Buffer.alloc(expected.length);
  if (!timingSafeEqual(expected, given) || !wellFormed) return { refused: "digest" };
  const age = nowSeconds - Number(time);
  if (age > policy.lifetimeSeconds || age < -(policy.skewSeconds ?? 60)) return { refused: "expired" };
  return { token };
}

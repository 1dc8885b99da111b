// CSRF guard for browser sessions (kept although a header session cannot ride a cross-site request: defence in depth): a state-changing request must come from the admin plane's own origin, whatever its Content-Type.
import type { Context, MiddlewareHandler } from "hono";
import type { AdminEnv } from "./context.ts";
import { AppError } from "../errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Origin wins when present (it must equal ours exactly; "null" never does). Without it, Sec-Fetch-Site must say
 * same-origin: "same-site" is not enough, since another port on this host (a worker's own web app) is the same site.
 */
export function fromSameOrigin(c: Context<AdminEnv>): boolean {
  const origin = c.req.header("origin");
  if (origin !== undefined) return origin === new URL(c.req.url).origin;
  return c.req.header("sec-fetch-site") === "same-origin";
}

/** Hono's csrf() checks only form-like Content-Types; a browser can also send text/plain or none, so every method but GET/HEAD is checked here. */
export function sameOriginForSessions(): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (c.get("auth") === "session" && !SAFE_METHODS.has(c.req.method) && !fromSameOrigin(c)) {
      throw new AppError("E_FORBIDDEN", "cross-origin request refused: admin actions from a browser must come from the admin page itself");
    }
    await next();
  };
}

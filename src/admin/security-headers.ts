// Headers on every admin response: a strict Content-Security-Policy and no sniffing, framing, caching or cross-origin reads.
import type { MiddlewareHandler } from "hono";
import type { AdminEnv } from "./context.ts";

/** Scripts, styles and connections from this origin only; no inline code, no framing, no plugins. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

export function securityHeaders(): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "no-referrer");
    // A page elsewhere cannot load API answers as a script or image (no-cors reads).
    h.set("Cross-Origin-Resource-Policy", "same-origin");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    if (!h.has("Cache-Control")) h.set("Cache-Control", "no-store");
  };
}

// Who may use the admin plane: the bearer token or a login-cookie session, with repeated wrong secrets throttled per address.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { clientAddress } from "./client-address.ts";
import type { AdminEnv } from "./context.ts";
import type { FailureThrottle } from "./failure-throttle.ts";
import { SESSION_COOKIE, type SessionStore } from "./sessions.ts";
import { sameSecret } from "./token.ts";

export interface AuthDeps {
  token: string;
  sessions: SessionStore;
  throttle: FailureThrottle;
}

export function tooManyFailures(c: Context<AdminEnv>, retryAfter: number): Response {
  return c.json({ error: `too many wrong secrets from this address: try again in ${retryAfter} s` }, 429, { "Retry-After": String(retryAfter) });
}

function unauthorized(c: Context<AdminEnv>, why: string): Response {
  return c.json({ error: `unauthorized: ${why}` }, 401, { "WWW-Authenticate": 'Bearer realm="workerman-app"' });
}

/**
 * Only offered-and-wrong secrets count as failures: a browser without a cookie yet, or with one from before a
 * master restart, is not guessing, and must not lock the operator out.
 */
export function authenticate(deps: AuthDeps, isPublic: () => boolean = () => false): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (isPublic()) {
      c.set("auth", "public");
      return next();
    }
    const address = clientAddress(c);
    const retryAfter = deps.throttle.retryAfter(address);
    if (retryAfter > 0) return tooManyFailures(c, retryAfter);
    const header = c.req.header("authorization");
    if (header !== undefined) {
      const token = /^Bearer +(\S+) *$/i.exec(header)?.[1] ?? "";
      if (!sameSecret(token, deps.token)) {
        deps.throttle.fail(address);
        return unauthorized(c, "wrong token (send Authorization: Bearer <the token in the admin.token file>)");
      }
      c.set("auth", "token");
      return next();
    }
    const session = getCookie(c, SESSION_COOKIE);
    if (session !== undefined && deps.sessions.valid(session)) {
      c.set("auth", "session");
      return next();
    }
    return unauthorized(c, "send Authorization: Bearer <the token in the admin.token file>, or log in with POST /api/login");
  };
}

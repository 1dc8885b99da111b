// Who may use the admin plane: the bearer token or a login session (X-Session header), checked first; only wrong secrets are throttled and audited (bounded).
import type { Context, MiddlewareHandler } from "hono";
import type { Audit } from "./audit.ts";
import { clientAddress } from "./client-address.ts";
import type { AdminEnv } from "./context.ts";
import type { FailureThrottle } from "./failure-throttle.ts";
import { SESSION_HEADER, type SessionStore } from "./sessions.ts";
import { sameSecret } from "./token.ts";
import { AppError } from "../errors.ts";

export interface AuthDeps {
  token: string;
  sessions: SessionStore;
  throttle: FailureThrottle;
  audit: Audit;
}

/** Throws 429 E_THROTTLED (app.ts answers it), with Retry-After. */
export function tooManyFailures(c: Context<AdminEnv>, retryAfter: number): never {
  c.header("Retry-After", String(retryAfter));
  throw new AppError(
    "E_THROTTLED",
    `too many wrong secrets lately (from this address or in all): try again in ${retryAfter} s; the right token is always accepted`,
  );
}

/** Throws 401 E_AUTH (app.ts answers it), with WWW-Authenticate. */
export function unauthorized(c: Context<AdminEnv>, why: string): never {
  c.header("WWW-Authenticate", 'Bearer realm="workerman-app"');
  throw new AppError("E_AUTH", `unauthorized: ${why}`);
}

/**
 * A wrong secret: counted against its address and against everyone, audited (a few per source per minute, the rest
 * summarized), and answered 429 once the address or everyone is over the limit, else 401.
 */
export function refuseWrongSecret(
  c: Context<AdminEnv>,
  deps: Pick<AuthDeps, "throttle" | "audit">,
  entry: { action: string; target: string },
  why: string,
): never {
  const address = clientAddress(c);
  const retryAfter = deps.throttle.retryAfter(address);
  deps.throttle.fail(address);
  deps.audit(c, { ...entry, result: `refused: ${retryAfter > 0 ? "throttled" : "wrong secret"}` });
  if (retryAfter > 0) tooManyFailures(c, retryAfter);
  unauthorized(c, why);
}

/**
 * The credential is checked before the throttle is asked, so a valid one is never refused for someone else's
 * failures (the token has 256 bits: throttling it protects nothing, refusing it would lock the operator out).
 * Only offered-and-wrong secrets count: a browser without a session yet is not guessing.
 */
export function authenticate(deps: AuthDeps, isPublic: () => boolean = () => false): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (isPublic()) {
      c.set("auth", "public");
      return next();
    }
    const header = c.req.header("authorization");
    if (header !== undefined) {
      const token = /^Bearer +(\S+) *$/i.exec(header)?.[1] ?? "";
      if (!sameSecret(token, deps.token)) {
        return refuseWrongSecret(
          c,
          deps,
          { action: "authenticate", target: "token" },
          "wrong token (send Authorization: Bearer <the token in the admin.token file>)",
        );
      }
      c.set("auth", "token");
      return next();
    }
    // Session ids have 256 bits: a wrong one is a stale tab (the master restarted), not a guess, so it is not counted.
    const session = c.req.header(SESSION_HEADER);
    if (session !== undefined && deps.sessions.valid(session)) {
      c.set("auth", "session");
      return next();
    }
    const why =
      session === undefined
        ? "send Authorization: Bearer <the token in the admin.token file>, or log in with POST /api/login"
        : "this session has ended (the master restarted, or logged it out): log in again";
    return unauthorized(c, why);
  };
}

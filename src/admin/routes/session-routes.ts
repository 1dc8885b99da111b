// POST /api/login ({token} or {password}) answers a session id for the X-Session header (no cookie); POST /api/logout ends it.
import { z } from "zod";
import { refuseWrongSecret, tooManyFailures } from "../auth.ts";
import { clientAddress } from "../client-address.ts";
import type { RouteDeps } from "../context.ts";
import { loginResponse } from "../api-schemas.ts";
import { route, type RouteSpec } from "../route-spec.ts";
import type { LoginResponse } from "../contract.ts";
import type { FailureThrottle } from "../failure-throttle.ts";
import { readJsonBody } from "../json-body.ts";
import { fromSameOrigin } from "../same-origin.ts";
import { SESSION_HEADER, type SessionStore } from "../sessions.ts";
import { sameSecret } from "../token.ts";
import { AppError } from "../../errors.ts";

const loginBody = z
  .strictObject({ token: z.string().max(1024).optional(), password: z.string().max(1024).optional() })
  .refine((b) => (b.token === undefined) !== (b.password === undefined), 'send either {"token": "..."} or {"password": "..."}');

export interface SessionDeps extends RouteDeps {
  sessions: SessionStore;
  throttle: FailureThrottle;
}

export function sessionRoutes(deps: SessionDeps): RouteSpec[] {
  return [loginRoute(deps), logoutRoute(deps)];
}

/** auth "none": mounted before the auth middleware, since logging in is how a browser gets past it. */
function loginRoute({ ctx, audit, sessions, throttle }: SessionDeps): RouteSpec {
  return route({
    method: "POST",
    path: "/api/login",
    summary: "Starts a browser session: the id goes in the X-Session header of every later request (no cookie)",
    auth: "none",
    body: loginBody,
    ok: { status: 200, description: "The session id and when it expires", schema: loginResponse },
    refuses: ["E_AUTH", "E_THROTTLED"],
    handler: async (c) => {
      // A login from another origin would plant the attacker's session in the victim's browser (login CSRF).
      if (!fromSameOrigin(c)) throw new AppError("E_FORBIDDEN", "cross-origin login refused: log in from the admin page itself");
      const { token, password } = await readJsonBody(c, loginBody);
      const method = token !== undefined ? "token" : "password";
      const hash = ctx.config.admin.passwordHash;
      let ok: boolean;
      if (token !== undefined) ok = sameSecret(token, ctx.token);
      else {
        // A password may be weak: while guessing is throttled it is not even tried (the token still is, always).
        const retryAfter = throttle.retryAfter(clientAddress(c));
        if (retryAfter > 0) {
          audit(c, { action: "login", target: method, result: "refused: throttled" });
          tooManyFailures(c, retryAfter);
        }
        ok = hash !== undefined && (await verifyPassword(password!, hash));
      }
      if (!ok) {
        const why = method === "password" && hash === undefined ? "no admin.passwordHash is configured: log in with the token" : `wrong ${method}`;
        refuseWrongSecret(c, { throttle, audit }, { action: "login", target: method }, why);
      }
      const session = sessions.create(clientAddress(c));
      c.set("auth", "session");
      audit(c, { action: "login", target: method, result: "ok" });
      const answer: LoginResponse = { ok: true, session: session.id, expiresAt: session.expiresAt };
      return c.json(answer);
    },
  });
}

function logoutRoute({ audit, sessions }: SessionDeps): RouteSpec {
  return route({
    method: "POST",
    path: "/api/logout",
    summary: "Ends the session named by X-Session",
    auth: "token",
    ok: { status: 200, description: "Ended", schema: z.object({ ok: z.literal(true) }) },
    handler: (c) => {
      const id = c.req.header(SESSION_HEADER);
      if (id !== undefined) sessions.end(id);
      audit(c, { action: "logout", target: c.get("auth"), result: "ok" });
      return c.json({ ok: true as const });
    },
  });
}

async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await Bun.password.verify(password, hash);
  } catch {
    return false;
  }
}

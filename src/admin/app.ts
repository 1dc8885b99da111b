// The admin plane's Hono app: guards every request (Host, headers, auth, same origin), then the JSON API, /metrics and the dashboard.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { adminRoutes } from "./admin-routes.ts";
import { allowedMethods } from "./allowed-methods.ts";
import { mountRoutes } from "./route-spec.ts";
import { auditor, type Audit } from "./audit.ts";
import { authenticate } from "./auth.ts";
import type { AdminConnectionCounts } from "./admin-listener.ts";
import type { AdminContext, AdminEnv, RouteDeps } from "./context.ts";
import { FailureThrottle } from "./failure-throttle.ts";
import { hostCheck } from "./host-check.ts";
import { LiveFeed } from "./live-feed.ts";
import { codeForStatus, errorBody } from "./error-body.ts";
import { AppError, isAppError } from "../errors.ts";
import { sameOriginForSessions } from "./same-origin.ts";
import { securityHeaders } from "./security-headers.ts";
import { SessionStore } from "./sessions.ts";

export interface AdminAppOptions {
  /** The port the server actually bound (admin.listen may say 0); the Host check needs it. */
  port?: () => number;
  feed?: LiveFeed;
  throttle?: FailureThrottle;
  /** Made by the caller when it must flush the audit's last summaries at stop (the master does). */
  audit?: Audit;
  /** The listener's connection figures, for /metrics (absent in tests that call app.fetch directly). */
  connections?: () => AdminConnectionCounts | undefined;
}

/** Action bodies are a few fields; nothing legitimate comes near this. */
const MAX_BODY_BYTES = 64 * 1024;

export function createAdminApp(ctx: AdminContext, options: AdminAppOptions = {}): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const port = options.port ?? (() => ctx.config.admin.port);
  const feed = options.feed ?? new LiveFeed();
  const sessions = new SessionStore();
  const throttle = options.throttle ?? new FailureThrottle();
  const deps: RouteDeps = { ctx, feed, audit: options.audit ?? auditor(ctx, feed), connections: options.connections ?? (() => undefined) };

  const routes = adminRoutes({ ...deps, sessions, throttle });

  app.use("*", securityHeaders());
  app.use("*", hostCheck(ctx.config.admin, port));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new AppError("E_BODY_TOO_LARGE", `the body is over ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  // Routes answer without calling next(): the public ones are mounted before the credential checks, the rest after.
  mountRoutes(
    app,
    routes.filter((r) => r.auth === "none"),
  );
  const authDeps = { token: ctx.token, sessions, throttle, audit: deps.audit };
  app.use("/api/*", authenticate(authDeps));
  app.use(
    "/metrics",
    authenticate(authDeps, () => ctx.config.admin.metricsPublic),
  );
  app.use("/api/*", sameOriginForSessions());
  mountRoutes(
    app,
    routes.filter((r) => r.auth !== "none"),
  );

  let allowed: ((path: string) => string[]) | undefined;
  app.notFound((c) => {
    allowed ??= allowedMethods(app.routes);
    const methods = allowed(c.req.path);
    if (methods.length === 0) throw new AppError("E_NOT_FOUND", `no route ${c.req.method} ${c.req.path}`);
    c.header("Allow", methods.join(", "));
    throw new AppError("E_METHOD", `${c.req.path} answers ${methods.join(", ")}, not ${c.req.method}`);
  });
  // The one place an error becomes an answer: routes and guards throw AppError, whose code sets the status.
  app.onError((err, c) => {
    if (isAppError(err)) return c.json(errorBody(err), err.httpStatus);
    // Hono's own refusals (a middleware's HTTPException) answer in the same shape unless they carry a response.
    if (err instanceof HTTPException) return err.res ?? c.json(errorBody(codeForStatus(err.status), err.message || `HTTP ${err.status}`), err.status);
    console.error(`admin: ${c.req.method} ${c.req.path} failed: ${err.stack ?? err.message}`);
    return c.json(errorBody("E_INTERNAL", `internal error: ${err.message}`), 500);
  });
  return app;
}

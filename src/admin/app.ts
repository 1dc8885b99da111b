// The admin plane's Hono app: health without auth, everything else behind the admin token.
import { Hono } from "hono";
import type { StatusResponse } from "./contract.ts";
import { sameSecret } from "./token.ts";

export interface AdminDeps {
  token: string;
  status: () => StatusResponse;
}

export function createAdminApp(deps: AdminDeps): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ ok: true }));

  app.use("/api/*", async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
    if (!given || !sameSecret(given, deps.token)) {
      return c.json({ error: "unauthorized: send Authorization: Bearer <token from the admin.token file>" }, 401, {
        "WWW-Authenticate": 'Bearer realm="workerman-app"',
      });
    }
    await next();
  });

  app.get("/api/status", (c) => c.json(deps.status()));
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  return app;
}

// The admin plane's Hono app: health without auth, everything else behind the admin token.
import { Hono } from "hono";
import { isAppError } from "../errors.ts";
import type { AdminContext } from "./context.ts";
import { sameSecret } from "./token.ts";

export function createAdminApp(ctx: AdminContext): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ ok: true }));

  app.use("/api/*", async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
    if (!given || !sameSecret(given, ctx.token)) {
      return c.json({ error: "unauthorized: send Authorization: Bearer <token from the admin.token file>" }, 401, {
        "WWW-Authenticate": 'Bearer realm="workerman-app"',
      });
    }
    await next();
  });

  app.get("/api/status", (c) => c.json(ctx.status()));

  app.post("/api/reload", async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { group?: string; graceful?: boolean };
    try {
      const { generation, groups } = ctx.supervisor.reload({ group: body.group, graceful: body.graceful === true });
      return c.json({ generation, groups, graceful: body.graceful === true }, 202);
    } catch (err) {
      if (isAppError(err)) return c.json({ error: err.message }, 400);
      throw err;
    }
  });

  app.post("/api/processes/:pid/restart", (c) => {
    const pid = Number(c.req.param("pid"));
    if (!ctx.supervisor.restartProcess(pid)) return c.json({ error: `no current worker process ${pid}` }, 404);
    return c.json({ pid, restarting: true }, 202);
  });

  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  return app;
}

// GET /api/events (live Server-Sent Events), GET /api/events/log and GET /api/audit (stored, newest first).
import type { Context, Hono } from "hono";
import type { AdminEnv, RouteDeps } from "../context.ts";
import type { AuditRecord, ListResponse, StoredEvent } from "../contract.ts";
import { eventStream } from "../event-stream.ts";
import { intParam } from "../query-params.ts";
import { AppError } from "../../errors.ts";
import { requireStore } from "../store-guard.ts";

/** Each open stream holds a socket, a subscription and up to MAX_QUEUED_BYTES; more than this is a leak or an attack. */
const MAX_STREAMS = 64;

export function eventRoutes(app: Hono<AdminEnv>, { ctx, feed }: RouteDeps): void {
  let streams = 0;
  app.get("/api/events", (c) => {
    if (streams >= MAX_STREAMS) throw new AppError("E_UNAVAILABLE", `too many open event streams (${MAX_STREAMS})`);
    // The feed ticks each second, but a stream must not fall to the server's idle timeout between ticks.
    c.env?.timeout?.(c.req.raw, 0);
    streams++;
    const body = eventStream(feed, {
      onEnd: (why) => {
        streams--;
        if (why === "dropped") feed.dropped++;
      },
    });
    return c.body(body, 200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no" });
  });

  const listing = <T>(c: Context<AdminEnv>, read: (limit: number, before?: number) => T[]) => {
    requireStore(ctx);
    const limit = intParam(c.req.query("limit"), "limit", 100, 1, 1000);
    const before = c.req.query("before") === undefined ? undefined : intParam(c.req.query("before"), "before", 0, 1, Number.MAX_SAFE_INTEGER);
    const body: ListResponse<T> = { items: read(limit, before), errors: [] };
    return c.json(body);
  };
  app.get("/api/events/log", (c) => listing<StoredEvent>(c, (limit, before) => ctx.store.log.events(limit, before)));
  app.get("/api/audit", (c) => listing<AuditRecord>(c, (limit, before) => ctx.store.log.audit(limit, before)));
}

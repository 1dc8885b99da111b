// GET /api/events (live Server-Sent Events), GET /api/events/log and GET /api/audit (stored, newest first).
import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { AdminEnv, RouteDeps } from "../context.ts";
import type { AuditRecord, ListResponse, LiveEvent, StoredEvent } from "../contract.ts";
import { intParam } from "../query-params.ts";

/** Each open stream holds a socket and a subscription; more than this is a leak or an attack. */
const MAX_STREAMS = 64;

export function eventRoutes(app: Hono<AdminEnv>, { ctx, feed }: RouteDeps): void {
  let streams = 0;
  app.get("/api/events", (c) => {
    if (streams >= MAX_STREAMS) return c.json({ error: `too many open event streams (${MAX_STREAMS})` }, 503);
    // The feed ticks each second, but a stream must not fall to the server's idle timeout between ticks.
    c.env?.timeout?.(c.req.raw, 0);
    streams++;
    return streamSSE(c, async (stream) => {
      const ended = Promise.withResolvers<void>();
      let seq = 0;
      const unsubscribe = feed.subscribe((event: LiveEvent) => {
        stream.writeSSE({ event: event.type, id: String(++seq), data: JSON.stringify(event) }).catch(() => ended.resolve());
      });
      stream.onAbort(() => ended.resolve());
      try {
        // Tells the browser's EventSource how soon to reconnect after the master restarts.
        await stream.writeSSE({ event: "hello", data: JSON.stringify({ at: Date.now(), pid: process.pid }), retry: 1000 });
        await ended.promise;
      } finally {
        unsubscribe();
        streams--;
      }
    });
  });

  const listing = <T>(c: Context<AdminEnv>, read: (limit: number, before?: number) => T[]) => {
    if (!ctx.store.available) return c.json({ error: `the store is unavailable: ${ctx.store.health()?.lastError ?? "not open"}` }, 503);
    const limit = intParam(c.req.query("limit"), "limit", 100, 1, 1000);
    const before = c.req.query("before") === undefined ? undefined : intParam(c.req.query("before"), "before", 0, 1, Number.MAX_SAFE_INTEGER);
    const body: ListResponse<T> = { items: read(limit, before) };
    return c.json(body);
  };
  app.get("/api/events/log", (c) => listing<StoredEvent>(c, (limit, before) => ctx.store.log.events(limit, before)));
  app.get("/api/audit", (c) => listing<AuditRecord>(c, (limit, before) => ctx.store.log.audit(limit, before)));
}

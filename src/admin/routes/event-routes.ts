// GET /api/events (live Server-Sent Events), GET /api/events/log and GET /api/audit (stored, newest first).
import type { Context } from "hono";
import { z } from "zod";
import type { AdminEnv, RouteDeps } from "../context.ts";
import type { ListResponse } from "../contract.ts";
import { auditList, eventList } from "../api-schemas.ts";
import { eventStream } from "../event-stream.ts";
import { intQuery, readQuery } from "../query-params.ts";
import { AppError } from "../../errors.ts";
import { route, type RouteSpec } from "../route-spec.ts";
import { requireStore } from "../store-guard.ts";

/** Each open stream holds a socket, a subscription and up to MAX_QUEUED_BYTES; more than this is a leak or an attack. */
const MAX_STREAMS = 64;

const pageQuery = z.object({
  limit: intQuery("limit", 100, 1, 1000, "Rows per page"),
  before: intQuery("before", undefined, 1, Number.MAX_SAFE_INTEGER, "Only rows before this id (pages back)"),
});

export function eventRoutes({ ctx, feed }: RouteDeps): RouteSpec[] {
  let streams = 0;
  const live = route({
    method: "GET",
    path: "/api/events",
    summary: "The live feed: supervisor events, admin actions and every process's figures each second (Server-Sent Events)",
    auth: "token",
    ok: { status: 200, description: "text/event-stream; the event: name is the type, data: the JSON of the whole event", type: "text/event-stream" },
    refuses: ["E_UNAVAILABLE"],
    handler: (c) => {
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
    },
  });
  const listing = <T>(c: Context<AdminEnv>, read: (limit: number, before?: number) => T[]) => {
    requireStore(ctx);
    const { limit, before } = readQuery(c, pageQuery);
    const body: ListResponse<T> = { items: read(limit, before), errors: [] };
    return c.json(body);
  };
  const stored = route({
    method: "GET",
    path: "/api/events/log",
    summary: "The stored supervisor events, newest first",
    auth: "token",
    query: pageQuery,
    ok: { status: 200, description: "Events", schema: eventList },
    refuses: ["E_UNAVAILABLE"],
    handler: (c) => listing(c, (limit, before) => ctx.store.log.events(limit, before)),
  });
  const audit = route({
    method: "GET",
    path: "/api/audit",
    summary: "Every admin action: who asked, from where, and how it ended; newest first",
    auth: "token",
    query: pageQuery,
    ok: { status: 200, description: "Audit rows", schema: auditList },
    refuses: ["E_UNAVAILABLE"],
    handler: (c) => listing(c, (limit, before) => ctx.store.log.audit(limit, before)),
  });
  return [live, stored, audit];
}

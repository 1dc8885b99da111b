// POST /api/push: sends data to a uid, a group, everyone, or one connection, through the master's channel relay.
import { Hono } from "hono";
import { relayOf, type PushTarget } from "../channel/relay.ts";
import type { AdminContext } from "./context.ts";

export interface PushRequest {
  to: { uid: string | number } | { group: string } | { all: true } | { pid: number; id: number };
  /** A string is sent as it is; any other JSON value as JSON text. */
  data: unknown;
}

export interface PushResponse {
  to: PushTarget;
  /** Local worker processes the message was handed to. */
  processes: number;
  /** "published": handed to Redis for the other hosts; "unavailable": Redis is down; "off": no cluster. */
  cluster: "published" | "unavailable" | "off";
  /** { pid, id } only: whether that connection took the message. */
  delivered?: boolean;
}

const USAGE = 'expected {"to": {"uid": U} | {"group": G} | {"all": true} | {"pid": P, "id": N}, "data": ...}';

/** The target, or the sentence that says what is wrong with it. */
export function parsePushTarget(to: unknown): PushTarget | string {
  if (typeof to !== "object" || to === null) return `"to" is missing: ${USAGE}`;
  const t = to as Record<string, unknown>;
  const keys = Object.keys(t).sort().join(",");
  if (keys === "uid" && ((typeof t.uid === "string" && t.uid !== "") || (typeof t.uid === "number" && Number.isFinite(t.uid)))) return { uid: String(t.uid) };
  if (keys === "group" && typeof t.group === "string" && t.group !== "") return { group: t.group };
  if (keys === "all" && t.all === true) return { all: true };
  if (keys === "id,pid" && Number.isInteger(t.pid) && Number.isInteger(t.id)) return { pid: t.pid as number, id: t.id as number };
  return `"to" must name exactly one target: ${USAGE}`;
}

export function pushRoute(ctx: AdminContext): Hono {
  const app = new Hono();
  app.post("/api/push", async (c) => {
    const body = (await c.req.json().catch(() => null)) as Partial<PushRequest> | null;
    if (body === null || typeof body !== "object") return c.json({ error: `the body must be JSON: ${USAGE}` }, 400);
    const to = parsePushTarget(body.to);
    if (typeof to === "string") return c.json({ error: to }, 400);
    if (body.data === undefined) return c.json({ error: `"data" is missing: ${USAGE}` }, 400);
    const relay = relayOf(ctx.supervisor);
    if (!relay) return c.json({ error: "the channel relay is not running" }, 503);
    const result = await relay.push(to, body.data);
    const response: PushResponse = { to, ...result };
    if ("pid" in to && !result.delivered) {
      const why = result.processes === 0 ? `no worker process ${to.pid}` : `process ${to.pid} has no open connection ${to.id}`;
      return c.json({ ...response, error: why }, 404);
    }
    return c.json(response, "pid" in to ? 200 : 202);
  });
  return app;
}

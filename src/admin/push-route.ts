// POST /api/push: sends data to a uid, a group, everyone, or one connection, through the master's channel relay.
import { z } from "zod";
import type { PushTarget } from "../channel/master/relay.ts";
import type { RouteDeps } from "./context.ts";
import { route, type RouteSpec } from "./route-spec.ts";
import { readJsonBody } from "./json-body.ts";
import { AppError } from "../errors.ts";

export interface PushRequest {
  /** `workerGroup` limits `all` to the connections of one worker group (its name in app.json). */
  /** `keep` sends to a group as publishToGroup does: kept in its history, with an offset. */
  to: { uid: string | number } | { group: string; keep?: boolean } | { all: true; workerGroup?: string } | { pid: number; id: number };
  /** A string is sent as it is; any other JSON value as JSON text. */
  data: unknown;
}

export interface PushResponse {
  to: PushTarget;
  /** Local worker processes the message was handed to. */
  processes: number;
  /** "published": handed to Redis for the other hosts; "unavailable": Redis is down; "off": no cluster. */
  cluster: "published" | "unavailable" | "off";
  /** { pid, id } only: true (a connection that did not take it is a 404 E_NOT_FOUND). */
  delivered?: boolean;
}

const pushBody = z.strictObject({
  to: z.union(
    [
      z.strictObject({ uid: z.union([z.string().min(1), z.number()]) }),
      z.strictObject({ group: z.string().min(1), keep: z.boolean().optional() }),
      z.strictObject({ all: z.literal(true), workerGroup: z.string().min(1).optional() }),
      z.strictObject({ pid: z.number().int(), id: z.number().int() }),
    ],
    { error: 'expected {"uid": U} | {"group": G, "keep"?: true} | {"all": true, "workerGroup"?: W} | {"pid": P, "id": N}' },
  ),
  data: z.unknown().refine((v) => v !== undefined, { error: "missing: the message to send (a string, or JSON)" }),
});

const pushResponse = z.object({
  to: z.record(z.string(), z.unknown()),
  processes: z.number(),
  cluster: z.enum(["published", "unavailable", "off"]),
  delivered: z.boolean().optional(),
}) satisfies z.ZodType<Omit<PushResponse, "to">>;

export function pushRoutes({ ctx, audit }: RouteDeps): RouteSpec[] {
  const push = route({
    method: "POST",
    path: "/api/push",
    summary: "Sends data to a uid, a channel group, everyone, or one connection, through the master's channel relay",
    auth: "token",
    body: pushBody,
    ok: { status: 202, description: "Handed to the processes (200 for one connection, which took it)", schema: pushResponse },
    refuses: ["E_NOT_FOUND", "E_UNAVAILABLE"],
    handler: async (c) => {
      const { to: given, data } = await readJsonBody(c, pushBody);
      const to: PushTarget = "uid" in given ? { uid: String(given.uid) } : given;
      const target = JSON.stringify(to);
      if ("all" in to && to.workerGroup !== undefined && !ctx.config.workers.some((g) => g.name === to.workerGroup)) {
        const names = ctx.config.workers.map((g) => g.name).join(", ");
        throw new AppError("E_USAGE", `bad body: to.workerGroup: no worker group "${to.workerGroup}" in this app (its groups: ${names})`, {
          field: "to.workerGroup",
        });
      }
      const relay = ctx.channel;
      if (!relay) throw new AppError("E_UNAVAILABLE", "the channel relay is not running");
      if ("group" in to && to.keep && relay.rules.of(to.group).size === 0) {
        const why = `keep stores the message in the group's history, but group "${to.group}" keeps none: set channel.history in app.json (or a channel.history.groups rule matching it)`;
        throw new AppError("E_USAGE", `bad body: to.keep: ${why}`, { field: "to.keep" });
      }
      const result = await relay.push(to, data);
      const response: PushResponse = { to, ...result };
      if ("pid" in to && !result.delivered) {
        const why = result.processes === 0 ? `no worker process ${to.pid}` : `process ${to.pid} has no open connection ${to.id}`;
        audit(c, { action: "push", target, result: `refused: ${why}` });
        throw new AppError("E_NOT_FOUND", why);
      }
      audit(c, { action: "push", target, result: "ok", detail: { processes: result.processes, cluster: result.cluster } });
      return c.json(response, "pid" in to ? 200 : 202);
    },
  });
  return [push];
}

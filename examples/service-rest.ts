// http:// twin of the unix-socket microservice (Hono): the same routes, the token as "Authorization: Bearer ...".
import { Hono } from "hono";
import { join } from "node:path";
import type { App, Worker } from "workerman-app";
import { dispatch } from "./service-routes.ts";
import { loadOrCreateToken, tokenMatches } from "./service-token.ts";

const tokenFile = process.env.SERVICE_TOKEN_FILE ?? join(import.meta.dir, ".workerman", "service.token");
let token = "";
let worker: Worker;

const api = new Hono();
api.all("*", async (c) => {
  const given = c.req.header("authorization")?.replace(/^Bearer\s+/i, "");
  if (!tokenMatches(token, given)) {
    worker.metrics.inc("unauthorized");
    return c.json({ status: 401, error: "Authorization: Bearer <token> does not match the service token" }, 401);
  }
  let data: unknown;
  if (c.req.method !== "GET" && c.req.method !== "HEAD") {
    try {
      data = await c.req.json();
    } catch {
      return c.json({ status: 400, error: "the body must be JSON" }, 400);
    }
  }
  const reply = await dispatch(worker, c.req.method, c.req.path, data);
  return c.json(reply, reply.status as 200);
});

export default {
  onWorkerStart(w) {
    worker = w;
    token = loadOrCreateToken(tokenFile);
  },
  fetch: api.fetch,
} satisfies App;

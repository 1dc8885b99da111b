// http:// example: a Hono app next to the static folder (../static/index.html is served at /).
import { Hono } from "hono";
import type { App } from "workerman-app";

const api = new Hono();
api.get("/hello", (c) => c.text(`Hello from worker pid ${process.pid}\n`));
api.get("/api/info", (c) => c.json({ pid: process.pid, time: new Date().toISOString(), runtime: `bun ${Bun.version}` }));

export default {
  fetch: api.fetch,
} satisfies App;

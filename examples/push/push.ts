// The push app's WebSocket side: admits a browser only from an allowed Origin with a valid signed cookie token.
import type { App, Connection, Worker } from "workerman-app";
import { readSettings, type PushSettings } from "./settings.ts";
import { refusalsOfInstance, serveRefusals, type Refusals } from "./refusals.ts";
import { deliver, joinStreams, resumeRequest } from "./resume.ts";
import { verifyCookies } from "./token.ts";

let settings: PushSettings;
const refusals: Refusals = { origin: 0, missing: 0, digest: 0, expired: 0 };

function refuse(conn: Connection, reason: keyof Refusals): Response {
  refusals[reason]++;
  conn.worker.metrics.inc(`refused.${reason}`);
  console.warn(`refused a WebSocket from ${conn.remoteAddress}: ${reason}`);
  return new Response("Forbidden", { status: 403 });
}

export default {
  onWorkerStart(worker: Worker) {
    settings = readSettings();
    serveRefusals(worker, refusals);
  },
  onWebSocketConnect(conn, request) {
    const origin = (request.headers.get("origin") ?? "").toLowerCase().replace(/\/$/, "");
    if (!settings.origins.has(origin)) return refuse(conn, "origin");
    const result = verifyCookies(request.headers.get("cookie"), settings);
    if ("refused" in result) return refuse(conn, result.refused);
    conn.context.token = result.token;
    const resume = resumeRequest(request.url);
    if (resume) conn.context.resume = resume;
  },
  async onConnect(conn) {
    // Bound here, not at the handshake: a binding made before the connection opens would outlive a failed upgrade.
    await conn.worker.channel.bindUid(conn, conn.context.token as string);
    await joinStreams(conn, conn.context.token as string);
  },
  // Pushes are kept (channel.history in app.json): a client that reconnects after a reload gets what it missed.
  onGroupMessage: deliver,
  onMessage(conn, data) {
    if (data === "ping") conn.send("pong");
  },
  // Plain HTTP on the same port: GET /refusals sums the refused handshakes of every process of this instance.
  async fetch(request, _server) {
    if (new URL(request.url).pathname === "/refusals") return Response.json(await refusalsOfInstance());
    return new Response("Not Found", { status: 404 });
  },
} satisfies App;

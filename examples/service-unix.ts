// unix:// + json example: a microservice; requests { path, method, auth_token, data }, replies { status, data | error }.
import { join } from "node:path";
import type { App } from "workerman-app";
import { dispatch } from "./service-routes.ts";
import { loadOrCreateToken, tokenMatches } from "./service-token.ts";

const tokenFile = process.env.SERVICE_TOKEN_FILE ?? join(import.meta.dir, ".workerman", "service.token");
let token = "";

interface ServiceRequest {
  path?: unknown;
  method?: unknown;
  auth_token?: unknown;
  data?: unknown;
}

export default {
  onWorkerStart() {
    token = loadOrCreateToken(tokenFile);
  },
  async onMessage(conn, request: ServiceRequest) {
    if (typeof request !== "object" || request === null) {
      return void conn.send({ status: 400, error: "send one JSON object per line: { path, method, auth_token, data }" });
    }
    if (!tokenMatches(token, request.auth_token)) {
      conn.worker.metrics.inc("unauthorized");
      return void conn.send({ status: 401, error: "auth_token does not match the service token" });
    }
    conn.send(await dispatch(conn.worker, request.method, request.path, request.data));
  },
} satisfies App;

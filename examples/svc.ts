// unix:// example: a JSON service; one request object per line in, one reply object per line out.
import type { App } from "workerman-app";

interface ServiceRequest {
  path?: string;
  data?: unknown;
}

const routes: Record<string, (data: unknown) => unknown> = {
  "/ping": () => ({ pong: true, pid: process.pid }),
  "/echo": (data) => data,
  "/time": () => ({ now: Date.now() }),
};

export default {
  onMessage(conn, request: ServiceRequest) {
    const route = routes[request.path ?? ""];
    conn.send(route ? { status: 200, data: route(request.data) } : { status: 404, error: `no route ${request.path}` });
  },
} satisfies App;

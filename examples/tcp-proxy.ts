// tcp:// example: a TCP proxy in a few lines; pipe() carries backpressure both ways (UPSTREAM=tcp://host:port).
import type { App } from "workerman-app";

const upstream = process.env.UPSTREAM ?? "tcp://127.0.0.1:8082";

export default {
  onConnect(client) {
    const server = client.worker.connect(upstream);
    client.pipe(server);
    server.pipe(client);
  },
} satisfies App;

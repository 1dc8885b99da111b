// http:// listener: Bun.serve with SO_REUSEPORT; the handler's native `routes` first, then static files, then its fetch.
import type { Server } from "bun";
import { AppError } from "../../errors.ts";
import { BUN_BODY_LIMIT, createAnswer } from "../http-answer.ts";
import type { ListenerFactory } from "../listener.ts";
import { closingRoutes, nativeRoutes } from "../native-routes.ts";
import type { WorkerRuntime } from "../runtime.ts";
import { ConnectionGate } from "../connection-gate.ts";
import { countedAnswer } from "../http-counting.ts";
import { HttpDrain } from "./http-drain.ts";
import { perAddressAnswer } from "./http-gate.ts";

/** Bun.serve options both http:// and websocket:// groups use. */
export function serveOptions(runtime: WorkerRuntime) {
  const { host, port } = runtime.config.listen;
  const ssl = runtime.config.ssl;
  return {
    hostname: host,
    port,
    reusePort: true,
    // Bun caps idleTimeout at 255 s.
    idleTimeout: Math.min(255, runtime.config.idleTimeout),
    // maxBodySize is ours to check (http-answer.ts), so that an oversized request is counted and logged, not just refused.
    maxRequestBodySize: BUN_BODY_LIMIT,
    tls: ssl ? { cert: Bun.file(ssl.cert), key: Bun.file(ssl.key) } : undefined,
    error(err: Error) {
      runtime.reportError("fetch", null, err);
      return new Response("Internal Server Error", { status: 500 });
    },
  };
}

export function listenError(runtime: WorkerRuntime, err: unknown): AppError {
  return new AppError("E_LISTEN", `cannot listen on ${runtime.config.listen.url}: ${(err as Error).message}`, { cause: err });
}

export const createHttpListener: ListenerFactory = (runtime) => {
  const drain = new HttpDrain();
  const finish = (response: Response) => (drain.draining ? drain.mark(response) : response);
  let server: Server<unknown> | undefined;
  let stopping = () => {};
  let close = () => {};
  return {
    async start() {
      drain.draining = false;
      const { answer, files } = createAnswer(runtime, finish);
      close = () => files?.close();
      const counting = runtime.traffic.httpCounting();
      const routes = nativeRoutes(runtime);
      const perIp = runtime.config.maxConnectionsPerIp === undefined ? null : new ConnectionGate(runtime.config, runtime.counters);
      const gated = perIp === null ? answer : perAddressAnswer(perIp, answer);
      const options = { ...serveOptions(runtime), fetch: counting === null ? gated : countedAnswer(counting, gated) };
      // Routes never pass through `finish`: while draining they are swapped for ones that say `Connection: close`.
      if (routes) stopping = () => server!.reload({ ...options, routes: closingRoutes(routes) });
      try {
        server = Bun.serve({ ...options, routes });
      } catch (err) {
        throw listenError(runtime, err);
      }
      const live = server;
      return { listen: { ...runtime.config.listen, port: live.port ?? runtime.config.listen.port }, inFlight: () => live.pendingRequests };
    },
    async drain(options) {
      drain.draining = true;
      stopping();
      await drain.run(server!, options);
      close();
    },
  };
};

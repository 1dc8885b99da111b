// http:// listener: Bun.serve with SO_REUSEPORT; static files first, then the handler's fetch (a Hono app fits).
import type { Server } from "bun";
import { AppError } from "../../errors.ts";
import type { ListenerFactory } from "../listener.ts";
import type { WorkerRuntime } from "../runtime.ts";
import { serveStatic } from "../static-files.ts";
import { HttpDrain } from "./http-drain.ts";

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
    maxRequestBodySize: runtime.config.maxBodySize,
    tls: ssl ? { cert: Bun.file(ssl.cert), key: Bun.file(ssl.key) } : undefined,
    error(err: Error) {
      runtime.reportError("fetch", null, err);
      return new Response("Internal Server Error", { status: 500 });
    },
  };
}

/** Answers one request: static folder, then the handler; a throwing handler gives 500 and an onError call. */
export async function answerHttp(runtime: WorkerRuntime, request: Request, server: Server<unknown>): Promise<Response> {
  runtime.counters.requests++;
  const root = runtime.config.static;
  if (root) {
    const file = await serveStatic(root, request);
    if (file) return file;
  }
  const fetch = runtime.app.fetch;
  if (!fetch) return new Response("Not Found", { status: 404 });
  try {
    return await fetch.call(runtime.app, request, server);
  } catch (err) {
    runtime.reportError("fetch", null, err);
    return new Response("Internal Server Error", { status: 500 });
  }
}

export function listenError(runtime: WorkerRuntime, err: unknown): AppError {
  return new AppError("E_LISTEN", `cannot listen on ${runtime.config.listen.url}: ${(err as Error).message}`, { cause: err });
}

export const createHttpListener: ListenerFactory = (runtime) => {
  const drain = new HttpDrain();
  let server: Server<unknown> | undefined;
  return {
    async start() {
      try {
        server = Bun.serve({
          ...serveOptions(runtime),
          fetch: async (request, srv) => drain.mark(await answerHttp(runtime, request, srv)),
        });
      } catch (err) {
        throw listenError(runtime, err);
      }
      const live = server;
      runtime.extraConnections = () => live.pendingRequests;
      return { ...runtime.config.listen, port: live.port ?? runtime.config.listen.port };
    },
    drain: (options) => drain.run(server!, options),
  };
};

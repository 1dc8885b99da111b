// The per-request path of http:// groups: static index, then the handler's fetch, synchronous whenever nothing waits.
import type { Server } from "bun";
import type { WorkerRuntime } from "./runtime.ts";
import { StaticFiles } from "./static-files.ts";

export type Answer = (request: Request, server: Server<unknown>) => Response | Promise<Response>;

/** The listener's say on every response (the drain's `Connection: close`). */
export type Finish = (response: Response) => Response;

const SLASH = 47;
const MALFORMED_HOST = "missing or malformed Host header";

/** Bun hands over a relative URL ("/x") when Host is missing (HTTP/1.0) or malformed ("a b"): new URL() throws on it. */
function isRelative(url: string): boolean {
  return url.charCodeAt(0) === SLASH;
}

/**
 * Builds the fetch function given to Bun.serve. It adds no promise and no lookup raw Bun does not pay: a handler that
 * returns a Response synchronously is answered synchronously, which also keeps HTTP pipelining working (Bun 1.4 closes
 * a connection whose next pipelined request arrives while a response is still pending).
 */
export function createAnswer(runtime: WorkerRuntime, finish: Finish): { answer: Answer; files: StaticFiles | null } {
  const app = runtime.app;
  const handler = app.fetch;
  const counters = runtime.counters;
  const { config } = runtime;
  const files = config.static
    ? new StaticFiles(config.static, { dotfiles: config.staticDotfiles ?? false, outsideSymlinks: config.staticOutsideSymlinks ?? false })
    : null;
  // Without a static folder the URL is looked at only when the handler fails: the fast path reads nothing raw Bun does not.
  const fail = (err: unknown, request: Request) => (isRelative(request.url) ? badRequest(runtime, MALFORMED_HOST) : failed(runtime, err));

  const callHandler = (request: Request, server: Server<unknown>): Response | Promise<Response> => {
    let result: Response | Promise<Response>;
    try {
      result = handler!.call(app, request, server);
    } catch (err) {
      return fail(err, request);
    }
    if (result instanceof Promise) return result.then(finish, (err) => fail(err, request));
    return finish(result);
  };

  const answer: Answer = (request, server) => {
    counters.requests++;
    if (files !== null) {
      const url = request.url;
      if (isRelative(url)) return badRequest(runtime, MALFORMED_HOST);
      const file = files.serve(request, url);
      if (file !== null) return finish(file);
    }
    if (handler === undefined) return finish(new Response("Not Found", { status: 404 }));
    if (hasUnsizedBody(request)) return bodyThenHandler(runtime, request, server, callHandler);
    return callHandler(request, server);
  };
  return { answer, files };
}

/** A chunked body has no Content-Length for Bun to check up front; Bun's limit then applies only while it is read. */
function hasUnsizedBody(request: Request): boolean {
  const method = request.method;
  if (method === "GET" || method === "HEAD") return false;
  return request.body !== null && request.headers.get("content-length") === null;
}

/**
 * Reads a chunked body (through a clone, so the handler still gets the original request and server.requestIP works)
 * before the handler runs: a body over maxBodySize gets its 413 and the handler never sees it.
 */
async function bodyThenHandler(runtime: WorkerRuntime, request: Request, server: Server<unknown>, next: Answer): Promise<Response> {
  try {
    const reader = request.clone().body!.getReader();
    while (!(await reader.read()).done) {
      // The tee keeps the bytes for the original; this side only has to reach the end.
    }
  } catch (err) {
    const tooLarge = /maxRequestBodySize/.test((err as Error)?.message ?? "");
    return tooLarge ? clientError(runtime, 413, "Payload Too Large") : badRequest(runtime, "the request body could not be read");
  }
  return next(request, server);
}

function badRequest(runtime: WorkerRuntime, why: string): Response {
  return clientError(runtime, 400, `Bad Request: ${why}`);
}

/** A client's mistake: counted with the protocol errors, never stored or logged as a handler error. */
function clientError(runtime: WorkerRuntime, status: number, text: string): Response {
  runtime.counters.protocolErrors++;
  return new Response(text, { status, headers: { Connection: "close" } });
}

function failed(runtime: WorkerRuntime, err: unknown): Response {
  runtime.reportError("fetch", null, err);
  return new Response("Internal Server Error", { status: 500 });
}

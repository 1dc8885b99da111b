// The per-request path of http:// groups: static index, then the handler's fetch, synchronous whenever nothing waits.
import type { Server } from "bun";
import { defaultMaxConnections, refusedResponse } from "./connection-gate.ts";
import { readBodyFirst } from "./http-body-read.ts";
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
  const fail = (err: unknown, request: Request, server: Server<unknown>) =>
    isRelative(request.url) ? badRequest(runtime, request, server, MALFORMED_HOST) : failed(runtime, err);

  const input = runtime.input;
  /**
   * `held`: a small body's bytes counted while it is answered (see heldWhileAnswered), given back in the reaction the
   * answer takes anyway: a promise more per request cost 200-400 ns, this 20-40 ns (bench/http-answer.bench.ts).
   */
  const callHandler = (request: Request, server: Server<unknown>, held = 0): Response | Promise<Response> => {
    let result: Response | Promise<Response>;
    try {
      result = handler!.call(app, request, server);
    } catch (err) {
      input.add(-held);
      return fail(err, request, server);
    }
    if (!(result instanceof Promise)) {
      input.add(-held);
      return finish(result);
    }
    if (held === 0) return result.then(finish, (err) => fail(err, request, server));
    const release = () => input.add(-held);
    return result.then(
      (response) => (release(), finish(response)),
      (err) => (release(), fail(err, request, server)),
    );
  };

  const check = bodyCheck(runtime);
  // Requests in flight, this one included (Bun.serve shows no socket count): past maxConnections a 503 and a close.
  const maxInFlight = runtime.config.maxConnections ?? defaultMaxConnections();
  const answer: Answer = (request, server) => {
    if (server.pendingRequests > maxInFlight) return refuseInFlight(runtime);
    counters.requests++;
    const verdict = check(request, server);
    if (verdict !== null && typeof verdict === "object") return verdict;
    if (files !== null) {
      const url = request.url;
      if (isRelative(url)) return badRequest(runtime, request, server, MALFORMED_HOST);
      const file = files.serve(request, url);
      if (file !== null) return finish(file);
    }
    if (handler === undefined) return finish(new Response("Not Found", { status: 404 }));
    if (verdict === CHUNKED) return bodyThenHandler(runtime, request, server, callHandler);
    return callHandler(request, server, verdict ?? 0);
  };
  return { answer, files };
}

/**
 * What Bun.serve is told its own body limit is: out of the way, so that every oversized request reaches bodyCheck and
 * is counted and logged (Bun's own 413 runs before any JavaScript, see docs/handler-api.md, Body limit). Bun buffers nothing
 * for a request answered before its body is read: it drops the bytes that follow and closes on `Connection: close`.
 */
export const BUN_BODY_LIMIT = Number.MAX_SAFE_INTEGER;

const CHUNKED = "chunked";
/** A refusal; CHUNKED: read the body first; a number: a small body's declared bytes, held while answered; null: none. */
type BodyVerdict = Response | typeof CHUNKED | number | null;

/**
 * Bodies up to this size with a Content-Length go straight to the handler (they arrive in a packet or two); larger
 * ones are read and counted first, as a body without a length is, so what a slow client makes the process hold is
 * seen by the input budget and timed by packageTimeout.
 */
const READ_FIRST_FROM = 64 * 1024;

/**
 * The body limit, checked before a handler runs: the 413 for a Content-Length over maxBodySize (the body is never
 * read), CHUNKED for a body without a length or a large one (read and counted first), null when there is nothing to
 * check. A GET or HEAD costs one method read, as Bun itself does (it reads no body for them).
 */
function bodyCheck(runtime: WorkerRuntime): (request: Request, server: Server<unknown>) => BodyVerdict {
  const limit = runtime.config.maxBodySize;
  const input = runtime.input;
  return (request, server) => {
    const method = request.method;
    if (method === "GET" || method === "HEAD") return null;
    const length = request.headers.get("content-length");
    if (length === null) return request.body === null ? null : CHUNKED;
    // Bun has already refused a length that is not digits (400); this one is a plain decimal.
    const size = Number(length);
    if (size > limit) return clientError(runtime, request, server, 413, "Payload Too Large", `Content-Length ${length} is over maxBodySize ${limit}`);
    // Past the input budget every body is read and counted first, where the budget can refuse it (503) and close it.
    if (size >= READ_FIRST_FROM || input.over) return CHUNKED;
    // A small body goes to the handler unread: its declared length is what the process receives (a larger one is counted as read).
    runtime.counters.bytesRead += size;
    if (size === 0) return null;
    input.add(size);
    return size;
  };
}

/** `next` behind the body limit: for a handler Bun calls directly (a function in `routes`). */
export function behindBodyLimit(runtime: WorkerRuntime, next: Answer): Answer {
  const check = bodyCheck(runtime);
  return (request, server) => {
    const verdict = check(request, server);
    if (verdict === null) return next(request, server);
    if (verdict === CHUNKED) return bodyThenHandler(runtime, request, server, next);
    if (typeof verdict === "number") return heldWhileAnswered(runtime, verdict, next(request, server));
    return verdict;
  };
}

/** The handler runs once the body is read and counted (see http-body-read.ts); a refusal is answered instead. */
async function bodyThenHandler(runtime: WorkerRuntime, request: Request, server: Server<unknown>, next: Answer): Promise<Response> {
  const refusal = await readBodyFirst(runtime, request, server, (status, text, why) => clientError(runtime, request, server, status, text, why));
  return refusal ?? next(request, server);
}

/**
 * A small body's declared bytes count towards the input budget until its answer is made: Bun keeps what arrives until
 * the handler reads it, so clients that never finish their bodies (4,000 x 59 of 60 KB: +250 MiB, measured) would
 * otherwise grow the process past the budget unseen. Answered without reading, Bun drops the rest of the body.
 */
function heldWhileAnswered(runtime: WorkerRuntime, size: number, answer: Response | Promise<Response>): Response | Promise<Response> {
  const input = runtime.input;
  if (!(answer instanceof Promise)) {
    input.add(-size);
    return answer;
  }
  return answer.then(
    (response) => {
      input.add(-size);
      return response;
    },
    (err) => {
      input.add(-size);
      throw err;
    },
  );
}

function refuseInFlight(runtime: WorkerRuntime): Response {
  runtime.counters.refusedMaxConnections++;
  return refusedResponse();
}

function badRequest(runtime: WorkerRuntime, request: Request, server: Server<unknown>, why: string): Response {
  return clientError(runtime, request, server, 400, `Bad Request: ${why}`, why);
}

/**
 * A client's mistake: counted with the protocol errors and logged as one line on stderr (which the master writes to
 * its log at a bounded rate per group), never stored or logged as a handler error; the connection is closed.
 */
function clientError(runtime: WorkerRuntime, request: Request, server: Server<unknown>, status: number, text: string, why: string): Response {
  runtime.counters.protocolErrors++;
  console.error(`closing http connection from ${peerAddress(request, server)}: ${why} (answered ${status})`);
  return new Response(text, { status, headers: { Connection: "close" } });
}

function peerAddress(request: Request, server: Server<unknown>): string {
  try {
    return server.requestIP(request)?.address ?? "an unknown address";
  } catch {
    return "an unknown address";
  }
}

function failed(runtime: WorkerRuntime, err: unknown): Response {
  runtime.reportError("fetch", null, err);
  return new Response("Internal Server Error", { status: 500 });
}

// A handler's `routes` for Bun.serve: static Responses and files stay native (no JavaScript runs), functions are counted.
import type { Serve, Server } from "bun";
import { type Answer, behindBodyLimit } from "./http-answer.ts";
import { countedAnswer } from "./http-counting.ts";
import type { WorkerRuntime } from "./runtime.ts";

type Routes = Serve.Routes<unknown, string>;
type RouteHandler = (request: Request, server: Server<unknown>) => unknown;

const METHODS = new Set(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]);

function isMethodTable(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || value instanceof Response || value instanceof Blob) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => METHODS.has(key));
}

/**
 * The routes as Bun.serve takes them. A Response, a Bun.file, `false`, a `{ dir }` or an HTML import is passed as it is,
 * so Bun answers it without entering JavaScript (and without counting it: nothing runs to count it). A function, alone
 * or in a per-method table, already runs JavaScript: it gets one wrapping call that counts the request, holds its
 * body to maxBodySize like `fetch` (http-answer.ts), times it into the latency histogram (http-counting.ts) and returns what the function returned (a promise gets one
 * `then`, for the timing). The drain's `Connection: close` comes from closingRoutes(), swapped in only while draining.
 */
export function nativeRoutes(runtime: WorkerRuntime): Routes | undefined {
  const routes = runtime.app.routes as Record<string, unknown> | undefined;
  if (routes === undefined) return undefined;
  const counters = runtime.counters;
  // Bun's own body limit is raised out of the way (see BUN_BODY_LIMIT): a function route gets maxBodySize from us.
  const counting = runtime.traffic.http;
  const counted = (fn: RouteHandler): RouteHandler => {
    const limited = behindBodyLimit(runtime, fn as Answer);
    const timed = counting === null ? limited : countedAnswer(counting, limited);
    return (request, server) => {
      counters.requests++;
      return timed(request, server);
    };
  };
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(routes)) {
    if (typeof value === "function") out[path] = counted(value as RouteHandler);
    else if (isMethodTable(value)) {
      out[path] = Object.fromEntries(Object.entries(value).map(([m, h]) => [m, typeof h === "function" ? counted(h as RouteHandler) : h]));
    } else out[path] = value;
  }
  return out as Routes;
}

/** The same routes with every answer also saying `Connection: close` (for the drain window), functions included. */
export function closingRoutes(routes: Routes): Routes {
  const closing = (value: unknown): unknown => {
    if (value instanceof Response) return () => markClose(value.clone());
    if (value instanceof Blob) return () => new Response(value, { headers: { Connection: "close" } });
    if (typeof value === "function") {
      return (request: Request, server: Server<unknown>) => {
        const result = (value as RouteHandler)(request, server);
        return result instanceof Promise ? result.then(markClose) : markClose(result);
      };
    }
    if (isMethodTable(value)) return Object.fromEntries(Object.entries(value).map(([m, h]) => [m, closing(h)]));
    return value;
  };
  return Object.fromEntries(Object.entries(routes).map(([path, value]) => [path, closing(value)])) as Routes;
}

function markClose(response: unknown): unknown {
  if (!(response instanceof Response)) return response;
  try {
    response.headers.set("Connection", "close");
  } catch {
    // Immutable headers (a proxied fetch() response): Bun's own shutdown closes the connection instead.
  }
  return response;
}

/** What `routes` may hold, checked at load so a typo is an E_CONFIG naming the route, not a Bun error at listen. */
export function routeProblem(routes: unknown): string | null {
  if (routes === null || typeof routes !== "object" || Array.isArray(routes))
    return `routes must be an object of path -> Response, Bun.file, function or { GET, POST, ... }, got ${routes === null ? "null" : typeof routes}`;
  for (const [path, value] of Object.entries(routes)) {
    if (!path.startsWith("/")) return `routes["${path}"]: a route path must start with "/"`;
    if (value === false || typeof value === "function" || value instanceof Response || value instanceof Blob) continue;
    if (value !== null && typeof value === "object") {
      const keys = Object.keys(value);
      const strange = keys.find((k) => !METHODS.has(k));
      const native = "dir" in value || "index" in value || keys.length === 0;
      if (strange === undefined || native) continue;
      return `routes["${path}"]: "${strange}" is not an HTTP method (expected ${[...METHODS].join(", ")})`;
    }
    return `routes["${path}"] must be a Response, Bun.file, function or { GET, POST, ... }, got ${value === null ? "null" : typeof value}`;
  }
  return null;
}

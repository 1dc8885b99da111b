// One admin route, declared once: method, path, summary, auth and schemas, with its handler; app.ts mounts the table and openapi.ts describes it.
import type { Handler, Hono } from "hono";
import type { z } from "zod";
import type { ErrorCode } from "../errors.ts";
import type { AdminEnv } from "./context.ts";

/**
 * Who may call it. "token": the bearer token or a login session (every /api route but login); "metrics": the same
 * unless admin.metricsPublic; "none": no credential (GET /healthz, the login itself, the dashboard's public files).
 */
export type RouteAuth = "token" | "metrics" | "none";

export interface RouteSpec {
  method: "GET" | "POST" | "DELETE";
  /** Hono's form: `/api/timers/:pid/:id`, `/:asset{regex}`. */
  path: string;
  summary: string;
  auth: RouteAuth;
  /** Path parameters, by name (the path says which); each a string unless its schema says otherwise. */
  params?: Record<string, z.ZodType>;
  /** The query parameters, the very schema the handler parses them with (readQuery). */
  query?: z.ZodObject;
  /** The JSON body, the very schema the handler reads it with (readJsonBody). */
  body?: z.ZodType;
  /** The success answer. `schema` for JSON; `type` names another media type (SSE, NDJSON, Prometheus text, HTML). */
  ok: { status: 200 | 202; description: string; schema?: z.ZodType; type?: string };
  /** What this route itself refuses with (the guards' refusals are added by auth and method). */
  refuses?: ErrorCode[];
  handler: Handler<AdminEnv>;
}

/** Declares one route; its handler is typed by its own path, so `c.req.param("pid")` is a string. */
export function route<P extends string>(spec: Omit<RouteSpec, "path" | "handler"> & { path: P; handler: Handler<AdminEnv, P> }): RouteSpec {
  // Hono's handler types are invariant in the path; the table keeps them as plain handlers.
  return spec as unknown as RouteSpec;
}

/** Registers every route of the table on the app: the only way a route is served, so the document lists them all. */
export function mountRoutes(app: Hono<AdminEnv>, routes: readonly RouteSpec[]): void {
  for (const spec of routes) app.on(spec.method, spec.path, spec.handler);
}

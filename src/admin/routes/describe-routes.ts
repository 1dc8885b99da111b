// GET /healthz, and the API describing itself: GET /api (the routes) and GET /api/openapi.json (the OpenAPI 3.1 document).
import { z } from "zod";
import { listOf } from "../api-schemas.ts";
import { openApiDocument, openApiPath } from "../openapi.ts";
import { route, type RouteSpec } from "../route-spec.ts";

const routeItem = z.object({
  method: z.string(),
  path: z.string().describe("In OpenAPI's form: /api/timers/{pid}/{id}"),
  summary: z.string(),
  auth: z.enum(["token", "metrics", "none"]),
});

export const healthRoute: RouteSpec = route({
  method: "GET",
  path: "/healthz",
  summary: "Whether the admin plane answers (the one route without the token)",
  auth: "none",
  ok: { status: 200, description: "Up", schema: z.object({ ok: z.literal(true) }) },
  handler: (c) => c.json({ ok: true as const }),
});

/** `table` is the whole table the app mounts (these two included), read once, when first asked. */
export function describeRoutes(table: () => readonly RouteSpec[]): RouteSpec[] {
  let document: Record<string, unknown> | undefined;
  const list = route({
    method: "GET",
    path: "/api",
    summary: "Every route of the admin plane: method, path, summary and the credential it needs",
    auth: "token",
    ok: { status: 200, description: "The routes, in the order they are matched", schema: listOf(routeItem) },
    handler: (c) => {
      const items = table().map(({ method, path, summary, auth }) => ({ method, path: openApiPath(path), summary, auth }));
      return c.json({ items, errors: [] });
    },
  });
  const openapi = route({
    method: "GET",
    path: "/api/openapi.json",
    summary: "This API as an OpenAPI 3.1 document, generated from the route table the server mounts",
    auth: "token",
    ok: { status: 200, description: "The OpenAPI document", type: "application/json" },
    handler: (c) => c.json((document ??= openApiDocument(table()))),
  });
  return [list, openapi];
}

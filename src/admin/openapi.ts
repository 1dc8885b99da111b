// Builds the OpenAPI 3.1 document of the admin API from the route table (zod 4 writes JSON Schema 2020-12, 3.1's dialect).
import { z } from "zod";
import { HTTP_STATUS, type ErrorCode } from "../errors.ts";
import { VERSION } from "../version.ts";
import { apiError } from "./api-schemas.ts";
import type { RouteSpec } from "./route-spec.ts";

type Json = Record<string, unknown>;

const PARAM = /^:(\w+)(?:\{(.+)\})?$/;

/** `/api/timers/:pid/:id` -> `/api/timers/{pid}/{id}`; `/:asset{regex}` -> `/{asset}`. */
export function openApiPath(path: string): string {
  return path
    .split("/")
    .map((part) => part.replace(PARAM, "{$1}"))
    .join("/");
}

/** Bodies and queries as a client writes them ("input"): the same JSON Schema a client can validate against. */
function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  return rest;
}

function parameters(spec: RouteSpec): Json[] {
  const inPath = spec.path.split("/").flatMap((part) => {
    const m = PARAM.exec(part);
    if (!m) return [];
    const schema = spec.params?.[m[1]!] ? jsonSchema(spec.params[m[1]!]!) : m[2] ? { type: "string", pattern: `^${m[2]}$` } : { type: "string" };
    return [{ name: m[1], in: "path", required: true, schema }];
  });
  if (!spec.query) return inPath;
  const query = jsonSchema(spec.query) as { properties?: Record<string, Json>; required?: string[] };
  const inQuery = Object.entries(query.properties ?? {}).map(([name, { description, ...schema }]) => ({
    name,
    in: "query",
    required: query.required?.includes(name) ?? false,
    description,
    schema,
  }));
  return [...inPath, ...inQuery];
}

/** The refusals an operation can answer: the guards' (Host, auth, body, query) and its own, grouped by status. */
function refusals(spec: RouteSpec): Map<number, ErrorCode[]> {
  const codes = new Set<ErrorCode>(["E_FORBIDDEN"]);
  if (spec.auth !== "none") for (const code of ["E_AUTH", "E_THROTTLED"] as const) codes.add(code);
  if (spec.body) for (const code of ["E_USAGE", "E_MEDIA_TYPE", "E_BODY_TOO_LARGE"] as const) codes.add(code);
  if (spec.query || spec.params) codes.add("E_USAGE");
  for (const code of spec.refuses ?? []) codes.add(code);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(HTTP_STATUS[code], [...(byStatus.get(HTTP_STATUS[code]) ?? []), code]);
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

function responses(spec: RouteSpec): Json {
  const type = spec.ok.type ?? "application/json";
  const okSchema = spec.ok.schema ? jsonSchema(spec.ok.schema) : { type: "string" };
  const answers: Json = { [spec.ok.status]: { description: spec.ok.description, content: { [type]: { schema: okSchema } } } };
  const error = { "application/json": { schema: { $ref: "#/components/schemas/ApiError" } } };
  for (const [status, codes] of refusals(spec)) answers[status] = { description: codes.join(", "), content: error };
  answers.default = { description: "E_INTERNAL: a bug (the master logs the stack)", content: error };
  return answers;
}

const SECURITY: Record<RouteSpec["auth"], Json[]> = {
  token: [{ token: [] }, { session: [] }],
  // An empty requirement: no credential needed when admin.metricsPublic is true.
  metrics: [{ token: [] }, { session: [] }, {}],
  none: [],
};

function operation(spec: RouteSpec): Json {
  const id = spec.method.toLowerCase() + openApiPath(spec.path).replace(/[^A-Za-z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase());
  const op: Json = { operationId: id, summary: spec.summary, security: SECURITY[spec.auth], parameters: parameters(spec) };
  if (spec.body) {
    const required = !spec.body.safeParse({}).success;
    op.requestBody = { required, content: { "application/json": { schema: jsonSchema(spec.body) } } };
  }
  op.responses = responses(spec);
  return op;
}

export function openApiDocument(routes: readonly RouteSpec[]): Json {
  const paths: Record<string, Json> = {};
  for (const spec of routes) (paths[openApiPath(spec.path)] ??= {})[spec.method.toLowerCase()] = operation(spec);
  return {
    openapi: "3.1.0",
    info: {
      title: "workerman-app admin API",
      version: VERSION,
      description: "The master's admin plane: status, connections, timers, reloads, events, logs, metrics. Generated from the route table it serves.",
    },
    paths,
    components: {
      schemas: { ApiError: jsonSchema(apiError) },
      securitySchemes: {
        token: { type: "http", scheme: "bearer", description: "The token in <dataDir>/admin.token (or admin.tokenFile)" },
        session: { type: "apiKey", in: "header", name: "X-Session", description: "A session id from POST /api/login (the dashboard's)" },
      },
    },
  };
}

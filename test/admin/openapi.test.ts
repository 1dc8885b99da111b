// The API describes itself: every route Hono serves is in /api/openapi.json and every path there is served; the
// document has OpenAPI 3.1's shape; GET /api lists the same routes; each route's declared auth is what is enforced.
import { expect, test } from "bun:test";
import { adminRoutes } from "../../src/admin/admin-routes.ts";
import { apiError } from "../../src/admin/api-schemas.ts";
import { createAdminApp } from "../../src/admin/app.ts";
import { auditor } from "../../src/admin/audit.ts";
import { FailureThrottle } from "../../src/admin/failure-throttle.ts";
import { openApiPath } from "../../src/admin/openapi.ts";
import type { RouteSpec } from "../../src/admin/route-spec.ts";
import { SessionStore } from "../../src/admin/sessions.ts";
import { RecentLog } from "../../src/master/recent-log.ts";
import { adminFixture, BASE, bearer, type Fixture } from "./admin-fixture.ts";

type Json = Record<string, any>;

async function documentOf(f: Fixture): Promise<Json> {
  const response = await f.request("/api/openapi.json", { headers: bearer() });
  expect(response.status).toBe(200);
  return (await response.json()) as Json;
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** What Hono serves but the document lacks, and the reverse. Middleware is registered for ALL methods; the rest are routes. */
function coverage(app: Fixture["app"], doc: Json): { undocumented: string[]; unserved: string[] } {
  const served = new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${openApiPath(r.path)}`));
  const documented = new Set(
    Object.entries(doc.paths as Json).flatMap(([path, item]) => Object.keys(item as Json).map((method) => `${method.toUpperCase()} ${path}`)),
  );
  return { undocumented: [...served].filter((r) => !documented.has(r)), unserved: [...documented].filter((r) => !served.has(r)) };
}

test("every route Hono serves is in the document, and every operation in the document is served", async () => {
  using f = adminFixture();
  const doc = await documentOf(f);
  expect(coverage(f.app, doc)).toEqual({ undocumented: [], unserved: [] });
  const paths = Object.keys(doc.paths);
  for (const must of ["/api", "/api/openapi.json", "/healthz", "/api/timers", "/api/timers/{pid}/{id}", "/api/reload", "/metrics", "/{asset}"])
    expect(paths).toContain(must);
});

test("the coverage check fails for a route added beside the table", async () => {
  using f = adminFixture();
  const app = createAdminApp(f.ctx, { feed: f.feed });
  app.get("/api/sneaky", (c) => c.json({}));
  const response = await app.request(`${BASE}/api/openapi.json`, { headers: bearer() }, { requestIP: () => ({ address: "127.0.0.1" }) });
  expect(coverage(app, (await response.json()) as Json)).toEqual({ undocumented: ["GET /api/sneaky"], unserved: [] });
});

test("the document has OpenAPI 3.1's shape: info, paths, operations with responses and declared path parameters", async () => {
  using f = adminFixture();
  const doc = await documentOf(f);
  expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  expect(typeof doc.info.title).toBe("string");
  expect(typeof doc.info.version).toBe("string");
  expect(Object.keys(doc.paths).length).toBeGreaterThan(20);
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
    expect(path.startsWith("/")).toBe(true);
    const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [method, op] of Object.entries(item)) {
      const where = `${method} ${path}`;
      expect({ where, method: METHODS.includes(method) }).toEqual({ where, method: true });
      expect({ where, summary: typeof op.summary }).toEqual({ where, summary: "string" });
      expect(ids.has(op.operationId)).toBe(false);
      ids.add(op.operationId);
      const statuses = Object.keys(op.responses);
      expect({ where, ok: statuses.some((s) => /^2\d\d$/.test(s)) }).toEqual({ where, ok: true });
      for (const [status, answer] of Object.entries(op.responses as Record<string, Json>)) {
        expect({ where, status: /^[1-5]\d\d$|^default$/.test(status), description: typeof answer.description }).toEqual({
          where,
          status: true,
          description: "string",
        });
        for (const media of Object.values((answer.content ?? {}) as Record<string, Json>)) expect(typeof media.schema).toBe("object");
      }
      const params = (op.parameters ?? []) as Json[];
      for (const p of params)
        expect({ where, in: ["query", "header", "path", "cookie"].includes(p.in), name: typeof p.name }).toEqual({ where, in: true, name: "string" });
      const inPath = params.filter((p) => p.in === "path");
      expect({ where, path: inPath.map((p) => p.name).sort() }).toEqual({ where, path: templated });
      for (const p of inPath) expect(p.required).toBe(true);
      if (op.requestBody) expect(Object.keys(op.requestBody.content)).toEqual(["application/json"]);
      for (const requirement of op.security ?? []) for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes).toHaveProperty(scheme);
    }
  }
  // Every $ref points into the document.
  const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
  for (const ref of refs) {
    const target = JSON.parse(`{${ref}}`).$ref.replace(/^#\//, "").split("/");
    expect(target.reduce((at: Json | undefined, key: string) => at?.[key], doc)).toBeDefined();
  }
});

test("the document says what the routes take: query parameters, bodies, refusals and who may call", async () => {
  using f = adminFixture();
  const doc = await documentOf(f);
  const connections = doc.paths["/api/connections"].get;
  expect(connections.parameters.find((p: Json) => p.name === "limit")).toMatchObject({
    in: "query",
    required: false,
    schema: { type: "integer", minimum: 1, maximum: 1000 },
  });
  const stop = doc.paths["/api/stop"].post;
  expect(stop.requestBody.required).toBe(true);
  expect(stop.requestBody.content["application/json"].schema.required).toEqual(["confirm"]);
  const reload = doc.paths["/api/reload"].post;
  expect(reload.responses["202"]).toBeDefined();
  expect(reload.responses["409"].description).toContain("E_CONFLICT");
  expect(reload.responses["422"].description).toContain("E_CONFIG");
  expect(reload.security).toEqual([{ token: [] }, { session: [] }]);
  expect(doc.paths["/healthz"].get.security).toEqual([]);
  expect(doc.paths["/healthz"].get.responses["401"]).toBeUndefined();
  expect(doc.paths["/api/timers"].get.responses["200"].content["application/json"].schema.required).toEqual(["items", "errors"]);
});

test("GET /api lists every route of the document, with its summary; it and the document need the token", async () => {
  using f = adminFixture();
  const doc = await documentOf(f);
  const response = await f.request("/api", { headers: bearer() });
  expect(response.status).toBe(200);
  const { items, errors } = (await response.json()) as { items: { method: string; path: string; summary: string; auth: string }[]; errors: unknown[] };
  expect(errors).toEqual([]);
  expect(items.map((r) => `${r.method.toLowerCase()} ${r.path}`).sort()).toEqual(
    Object.entries(doc.paths as Json)
      .flatMap(([path, item]) => Object.keys(item as Json).map((m) => `${m} ${path}`))
      .sort(),
  );
  for (const r of items) expect(r.summary).toBe(doc.paths[r.path][r.method.toLowerCase()].summary);
  expect((await f.request("/api")).status).toBe(401);
  expect((await f.request("/api/openapi.json")).status).toBe(401);
});

/** A request a route's guards see: its path with sample parameters, its method, no credential. */
function sample(spec: RouteSpec): string {
  return spec.path.replace(/:asset\{[^}]+\}/, "app.js").replace(/:\w+/g, "1");
}

function table(f: Fixture): RouteSpec[] {
  return adminRoutes({
    ctx: f.ctx,
    feed: f.feed,
    audit: auditor(f.ctx, f.feed),
    connections: () => undefined,
    sessions: new SessionStore(),
    throttle: new FailureThrottle(),
  });
}

test("each route's declared auth is the one enforced: token routes refuse no credential, public ones do not ask", async () => {
  using f = adminFixture();
  using open = adminFixture({ metricsPublic: true });
  const specs = table(f);
  expect(specs.filter((s) => s.auth === "none").map((s) => s.path)).toEqual(["/healthz", "/api/login", "/", "/:asset{[A-Za-z0-9_.-]+\\.(?:js|css|svg|map)}"]);
  for (const spec of specs) {
    const status = (await f.request(sample(spec), { method: spec.method })).status;
    const where = `${spec.method} ${spec.path}`;
    if (spec.auth === "none") expect({ where, status: status === 401 }).toEqual({ where, status: false });
    else expect({ where, status }).toEqual({ where, status: 401 });
    if (spec.auth === "metrics") expect((await open.request(sample(spec), { method: spec.method })).status).toBe(200);
  }
});

test("the answers match their declared schemas (the JSON GET routes of a running admin app)", async () => {
  using f = adminFixture();
  f.ctx.logs = new RecentLog();
  f.ctx.logs.push("[master 1] started");
  f.ctx.logs.push("[web#0 2] listening");
  const answered503: string[] = [];
  for (const spec of table(f).filter((s) => s.method === "GET" && s.ok.schema && !s.path.includes(":"))) {
    const response = await f.request(spec.path, { headers: bearer() });
    const where = `${spec.method} ${spec.path}`;
    // What this fixture lacks (a cluster view) is a declared refusal, in the one error shape.
    const unavailable = response.status === 503 && spec.refuses?.includes("E_UNAVAILABLE");
    if (unavailable) answered503.push(spec.path);
    else expect({ where, status: response.status }).toEqual({ where, status: spec.ok.status });
    const parsed = (unavailable ? apiError : spec.ok.schema!).safeParse(await response.json());
    expect({ where, issues: parsed.success ? [] : parsed.error.issues }).toEqual({ where, issues: [] });
  }
  expect(answered503).toEqual(["/api/cluster"]);
});

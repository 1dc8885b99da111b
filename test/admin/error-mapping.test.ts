// One error mapping: routes throw AppError, app.ts answers it with its code's status; lists share { items, errors }.
import { expect, test } from "bun:test";
import type { ApiError, ListResponse, ProcessError } from "../../src/admin/contract.ts";
import { gather } from "../../src/admin/worker-queries.ts";
import { AppError, HTTP_STATUS, type ErrorCode } from "../../src/errors.ts";
import type { WorkerProcess } from "../../src/master/worker-process.ts";
import { adminFixture, bearer, json, login, ORIGIN, sessionHeader } from "./admin-fixture.ts";

test("every code a route throws is answered with the table's status and the one error shape", async () => {
  using fixture = adminFixture();
  for (const [code, status] of Object.entries(HTTP_STATUS) as [ErrorCode, number][]) {
    fixture.ctx.reload = async () => {
      throw new AppError(code, "a sentence to act on", { field: "workers[0].count" });
    };
    const response = await fixture.request("/api/reload", json({}, bearer()));
    expect({ code, status: response.status }).toEqual({ code, status });
    expect(await response.json()).toEqual({ error: { code, message: "workers[0].count: a sentence to act on", field: "workers[0].count" } });
  }
});

test("a bug is a 500 E_INTERNAL; a sentence that names its field is not prefixed twice", async () => {
  using fixture = adminFixture();
  fixture.ctx.reload = async () => {
    throw new TypeError("x is undefined");
  };
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    const bug = await fixture.request("/api/reload", json({}, bearer()));
    expect(bug.status).toBe(500);
    expect(((await bug.json()) as ApiError).error).toEqual({ code: "E_INTERNAL", message: "internal error: x is undefined" });
  } finally {
    console.error = original;
  }
  expect(errors).toHaveLength(1);
  const query = await fixture.request("/api/audit?limit=0", { headers: bearer() });
  expect(query.status).toBe(400);
  expect(await query.json()).toEqual({ error: { code: "E_USAGE", message: 'limit must be a whole number from 1 to 1000, not "0"', field: "limit" } });
});

test("guards throw too: 401 keeps WWW-Authenticate, a foreign Host is 403, a browser body not JSON is 415", async () => {
  using fixture = adminFixture();
  const anonymous = await fixture.request("/api/status");
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="workerman-app"');
  expect(((await anonymous.json()) as ApiError).error.code).toBe("E_AUTH");
  const host = await fixture.app.request("http://evil.example:9090/api/status", { headers: bearer() }, { requestIP: () => ({ address: "127.0.0.1" }) });
  expect(host.status).toBe(403);
  expect(((await host.json()) as ApiError).error.code).toBe("E_FORBIDDEN");
  const session = await login(fixture);
  const plain = await fixture.request("/api/reload", { method: "POST", headers: { ...sessionHeader(session), Origin: ORIGIN }, body: "{}" });
  expect(plain.status).toBe(415);
  expect(((await plain.json()) as ApiError).error.code).toBe("E_MEDIA_TYPE");
});

test("push to one connection that did not take it: a 404 with the error alone, no success fields merged in", async () => {
  using fixture = adminFixture();
  fixture.ctx.channel = { rules: { of: () => new Set() } as never, push: async () => ({ processes: 1, cluster: "off", delivered: false }) };
  const response = await fixture.request("/api/push", json({ to: { pid: 4242, id: 7 }, data: "x" }, bearer()));
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({ error: { code: "E_NOT_FOUND", message: "process 4242 has no open connection 7" } });
});

test("GET /api/timers and every other list answer { items, errors }", async () => {
  using fixture = adminFixture();
  for (const path of ["/api/timers", "/api/connections", "/api/reloads", "/api/configs", "/api/events/log", "/api/audit"]) {
    const response = await fixture.request(path, { headers: bearer() });
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    const body = (await response.json()) as ListResponse<unknown>;
    expect({ path, items: Array.isArray(body.items), errors: body.errors }).toEqual({ path, items: true, errors: [] });
  }
  const badGroup = await fixture.request("/api/timers?group=nope", { headers: bearer() });
  expect(badGroup.status).toBe(400);
  expect(await badGroup.json()).toEqual({ error: { code: "E_USAGE", message: 'no group "nope" (groups: web)', field: "group" } });
});

test("a process that does not answer costs its rows, reported as { pid, error: { code, message } }", async () => {
  const answers = (pid: number, reply: { ok: boolean; data?: unknown; error?: string }) =>
    ({ pid, request: async () => ({ type: "reply", requestId: 0, ...reply }) }) as unknown as WorkerProcess;
  const found = await gather<{ id: number }>([answers(10, { ok: true, data: [{ id: 1 }] }), answers(11, { ok: false, error: "no answer in time" })], "timers");
  expect(found.rows.map((r) => [r.proc.pid, r.items])).toEqual([[10, [{ id: 1 }]]]);
  expect(found.errors).toEqual([
    { pid: 11, error: { code: "E_UNAVAILABLE", message: "process 11 did not answer: no answer in time" } },
  ] satisfies ProcessError[]);
});

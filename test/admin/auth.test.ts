// Every admin route refuses a request without the token, a wrong token is throttled, and /healthz alone is open.
import { describe, expect, test } from "bun:test";
import { adminFixture, bearer, TOKEN } from "./admin-fixture.ts";

/** Every route of the API, with a request that is valid apart from its credentials, and the answer a token gets. */
const ROUTES: { method: string; path: string; body?: unknown; withToken: number }[] = [
  { method: "GET", path: "/api/status", withToken: 200 },
  { method: "GET", path: "/api/connections", withToken: 200 },
  { method: "DELETE", path: "/api/connections/1/1", withToken: 404 },
  { method: "GET", path: "/api/timers", withToken: 200 },
  { method: "DELETE", path: "/api/timers/1/1", withToken: 404 },
  { method: "POST", path: "/api/reload", body: { group: "nope" }, withToken: 400 },
  { method: "POST", path: "/api/processes/1/restart", body: {}, withToken: 404 },
  { method: "POST", path: "/api/stop", body: {}, withToken: 400 },
  { method: "GET", path: "/api/events", withToken: 200 },
  { method: "GET", path: "/api/metrics/history", withToken: 200 },
  { method: "GET", path: "/api/events/log", withToken: 200 },
  { method: "GET", path: "/api/audit", withToken: 200 },
  { method: "POST", path: "/api/logout", body: {}, withToken: 200 },
  { method: "GET", path: "/api/no-such-route", withToken: 404 },
  { method: "GET", path: "/metrics", withToken: 200 },
];

describe("auth on every route", () => {
  for (const route of ROUTES) {
    test(`${route.method} ${route.path}: 401 without a token, ${route.withToken} with it`, async () => {
      using f = adminFixture();
      const init = (headers: Record<string, string>): RequestInit => ({
        method: route.method,
        headers: { "Content-Type": "application/json", ...headers },
        body: route.body === undefined ? undefined : JSON.stringify(route.body),
      });
      const anonymous = await f.request(route.path, init({}));
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
      expect(((await anonymous.json()) as { error: string }).error).toContain("unauthorized");
      const wrong = await f.request(route.path, init(bearer("b".repeat(64))));
      expect(wrong.status).toBe(401);
      const ok = await f.request(route.path, init(bearer()));
      expect(ok.status).toBe(route.withToken);
      await ok.body?.cancel();
    });
  }

  test("/healthz needs no token", async () => {
    using f = adminFixture();
    const response = await f.request("/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  test("/metrics is open only with admin.metricsPublic", async () => {
    using f = adminFixture({ metricsPublic: true });
    expect((await f.request("/metrics")).status).toBe(200);
    expect((await f.request("/api/status")).status).toBe(401);
  });

  test("a token sent in another scheme, or with a prefix of the right one, is refused", async () => {
    using f = adminFixture();
    for (const header of [`Basic ${TOKEN}`, `Bearer ${TOKEN.slice(0, 32)}`, `Bearer ${TOKEN}x`, "Bearer", `Bearer  ${TOKEN} extra`]) {
      expect((await f.request("/api/status", { headers: { Authorization: header } })).status).toBe(401);
    }
  });
});

describe("throttling wrong secrets", () => {
  test("10 wrong tokens in a minute: the 11th request gets 429 with Retry-After, even with the right token; others are not affected", async () => {
    using f = adminFixture();
    for (let i = 0; i < 10; i++) expect((await f.request("/api/status", { headers: bearer(`wrong-${i}`) }, "10.0.0.7")).status).toBe(401);
    const blocked = await f.request("/api/status", { headers: bearer() }, "10.0.0.7");
    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await f.request("/api/status", { headers: bearer() }, "10.0.0.8")).status).toBe(200);
  });

  test("requests without any credentials are not counted as guesses", async () => {
    using f = adminFixture();
    for (let i = 0; i < 20; i++) expect((await f.request("/api/status", {}, "10.0.0.9")).status).toBe(401);
    expect((await f.request("/api/status", { headers: bearer() }, "10.0.0.9")).status).toBe(200);
  });

  test("wrong logins count too", async () => {
    using f = adminFixture();
    const attempt = (token: string) =>
      f.request("/api/login", { method: "POST", headers: { "Content-Type": "application/json", Origin: "http://127.0.0.1:9090" }, body: JSON.stringify({ token }) }, "10.0.0.5");
    for (let i = 0; i < 10; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    expect((await attempt(TOKEN)).status).toBe(429);
  });
});

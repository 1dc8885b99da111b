// Every admin route refuses a request without the token, a wrong token is throttled, and /healthz alone is open.
import { describe, expect, test } from "bun:test";
import { adminFixture, bearer, json, ORIGIN, TOKEN } from "./admin-fixture.ts";

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
      expect(await anonymous.json()).toMatchObject({ error: { code: "E_AUTH", message: expect.stringContaining("unauthorized") } });
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
  const wrong = (f: ReturnType<typeof adminFixture>, address: string, i = 0) => f.request("/api/status", { headers: bearer(`wrong-${i}`) }, address);

  test("ten wrong tokens, then the right one succeeds from the same address and from another loopback address", async () => {
    using f = adminFixture();
    for (let i = 0; i < 10; i++) expect((await wrong(f, "127.0.0.1", i)).status).toBe(401);
    expect((await f.request("/api/status", { headers: bearer() }, "127.0.0.1")).status).toBe(200);
    expect((await f.request("/api/status", { headers: bearer() }, "127.0.0.2")).status).toBe(200);
    // ...and a login with the token, which is how the dashboard gets in.
    expect((await f.request("/api/login", json({ token: TOKEN }, { Origin: ORIGIN }), "127.0.0.1")).status).toBe(200);
  });

  test("past ten in a minute, further wrong tokens from that address get 429 with Retry-After; others are not affected", async () => {
    using f = adminFixture();
    for (let i = 0; i < 10; i++) expect((await wrong(f, "10.0.0.7", i)).status).toBe(401);
    const blocked = await wrong(f, "10.0.0.7", 10);
    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await wrong(f, "10.0.0.8")).status).toBe(401);
    expect((await f.request("/api/status", { headers: bearer() }, "10.0.0.7")).status).toBe(200);
  });

  test("guesses spread over many loopback addresses are throttled globally, and the right token still gets in", async () => {
    using f = adminFixture();
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await wrong(f, `127.0.${Math.floor(i / 250)}.${(i % 250) + 2}`, i)).status);
    // One guess per address: no address is over its own limit, but all of them together are.
    expect(statuses.slice(0, 60).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(60).every((s) => s === 429)).toBe(true);
    expect((await wrong(f, "127.1.1.1")).status).toBe(429);
    expect((await f.request("/api/status", { headers: bearer() }, "127.1.1.2")).status).toBe(200);
  });

  test("requests without any credentials are not counted as guesses", async () => {
    using f = adminFixture();
    for (let i = 0; i < 20; i++) expect((await f.request("/api/status", {}, "10.0.0.9")).status).toBe(401);
    expect((await wrong(f, "10.0.0.9")).status).toBe(401);
  });

  test("wrong logins count too; the right token still logs in", async () => {
    using f = adminFixture();
    const attempt = (token: string) => f.request("/api/login", json({ token }, { Origin: ORIGIN }), "10.0.0.5");
    for (let i = 0; i < 10; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    expect((await attempt("guess-10")).status).toBe(429);
    expect((await attempt(TOKEN)).status).toBe(200);
  });

  test("a password, being guessable, is not even tried while guessing is throttled; the token is", async () => {
    using f = adminFixture({ passwordHash: await Bun.password.hash("correct horse", { algorithm: "argon2id" }) });
    const attempt = (body: unknown) => f.request("/api/login", json(body, { Origin: ORIGIN }), "10.0.0.4");
    for (let i = 0; i < 10; i++) expect((await attempt({ password: `guess-${i}` })).status).toBe(401);
    expect((await attempt({ password: "correct horse" })).status).toBe(429);
    expect((await attempt({ token: TOKEN })).status).toBe(200);
  });
});

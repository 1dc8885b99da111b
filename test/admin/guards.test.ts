// Host header checks (DNS rebinding), security headers, body limits and the audit trail of admin actions.
import { describe, expect, test } from "bun:test";
import { hostAllowed } from "../../src/admin/host-check.ts";
import { startAdminPlane } from "../../src/admin/server.ts";
import type { AdminConfig } from "../../src/config/types.ts";
import { adminFixture, BASE, bearer, json, login, ORIGIN, sessionHeader } from "./admin-fixture.ts";

const admin = (host: string, extra: Partial<AdminConfig> = {}): AdminConfig => ({ host, port: 9090, metricsPublic: false, allowRemote: true, ...extra });

describe("Host header", () => {
  test("a rebinding name is refused even on /healthz; the bound address and localhost are fine", async () => {
    using f = adminFixture();
    const evil = await f.app.request("http://rebind.evil.example:9090/healthz");
    expect(evil.status).toBe(403);
    expect((await f.app.request("http://localhost:9090/healthz")).status).toBe(200);
    expect((await f.app.request(`${BASE}/healthz`)).status).toBe(200);
    expect((await f.app.request("http://127.0.0.1:9091/healthz")).status).toBe(403);
  });

  test("rules by bound address", () => {
    expect(hostAllowed("127.0.0.1:9090", admin("127.0.0.1"), 9090)).toBe(true);
    expect(hostAllowed("LOCALHOST:9090", admin("127.0.0.1"), 9090)).toBe(true);
    expect(hostAllowed("127.0.0.1", admin("127.0.0.1"), 9090)).toBe(false);
    expect(hostAllowed("[::1]:9090", admin("::1"), 9090)).toBe(true);
    expect(hostAllowed("10.1.2.3:9090", admin("127.0.0.1"), 9090)).toBe(false);
    // A wildcard bind: any IP literal (cannot be rebound), names only when listed.
    expect(hostAllowed("10.1.2.3:9090", admin("0.0.0.0"), 9090)).toBe(true);
    expect(hostAllowed("[fe80::1]:9090", admin("::"), 9090)).toBe(true);
    expect(hostAllowed("ops.internal:9090", admin("0.0.0.0"), 9090)).toBe(false);
    expect(hostAllowed("ops.internal:9090", admin("0.0.0.0", { allowedHosts: ["ops.internal"] }), 9090)).toBe(true);
    expect(hostAllowed("ops.internal:9090@evil", admin("0.0.0.0", { allowedHosts: ["ops.internal"] }), 9090)).toBe(false);
  });
});

describe("headers and limits", () => {
  test("every answer carries a strict CSP and no-sniff, including errors and the dashboard", async () => {
    using f = adminFixture();
    for (const path of ["/healthz", "/api/status", "/"]) {
      const response = await f.request(path);
      await response.body?.cancel();
      const csp = response.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).not.toContain("unsafe-eval");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const api = await f.request("/api/status", { headers: bearer() });
    expect(api.headers.get("cache-control")).toBe("no-store");
  });

  test("a body over 64 KiB is refused before it is read", async () => {
    using f = adminFixture();
    const response = await f.request("/api/reload", {
      method: "POST",
      headers: { ...bearer(), "Content-Type": "application/json" },
      body: JSON.stringify({ group: "x".repeat(70_000) }),
    });
    expect(response.status).toBe(413);
  });

  test("bad query parameters are a 400 that names the parameter", async () => {
    using f = adminFixture();
    const response = await f.request("/api/connections?limit=0", { headers: bearer() });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: "E_USAGE", message: expect.stringContaining("limit must be"), field: "limit" } });
    expect((await f.request("/api/connections?group=nope", { headers: bearer() })).status).toBe(400);
    expect((await f.request("/api/metrics/history?step=abc", { headers: bearer() })).status).toBe(400);
    expect((await f.request("/api/metrics/history?from=2&to=1", { headers: bearer() })).status).toBe(400);
  });
});

describe("audit", () => {
  test("actions, refusals and logins are recorded with actor and source address", async () => {
    using f = adminFixture();
    await f.request("/api/reload", json({ group: "nope" }, bearer()), "10.9.8.7");
    await f.request("/api/login", json({ token: "wrong" }, { Origin: ORIGIN }), "10.9.8.6");
    const session = await login(f);
    await f.request("/api/stop", json({ confirm: true }, { ...sessionHeader(session), Origin: ORIGIN }));
    const { items } = (await (await f.request("/api/audit?limit=10", { headers: bearer() })).json()) as { items: Record<string, unknown>[] };
    expect(items.map((r) => [r.action, r.actor, r.source, String(r.result).split(":")[0]])).toEqual([
      ["stop", "session", "127.0.0.1", "ok"],
      ["login", "session", "127.0.0.1", "ok"],
      ["login", "none", "10.9.8.6", "refused"],
      ["reload", "token", "10.9.8.7", "refused"],
    ]);
  });
});

describe("startAdminPlane", () => {
  test("refuses a non-loopback address without allowRemote even if a config got past the loader", () => {
    using f = adminFixture();
    const ctx = { ...f.ctx, config: { ...f.ctx.config, admin: { ...f.ctx.config.admin, host: "0.0.0.0", port: 0, allowRemote: false } } };
    expect(() => startAdminPlane(ctx)).toThrow('host "0.0.0.0" is reachable from other machines');
  });

  test("serves on the port it bound, and its Host check uses that port", async () => {
    using f = adminFixture();
    const plane = startAdminPlane({ ...f.ctx, config: { ...f.ctx.config, admin: { ...f.ctx.config.admin, port: 0 } } });
    try {
      expect(plane.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${plane.url}/healthz`)).status).toBe(200);
    } finally {
      plane.stop();
    }
  });
});

describe("refusals are bounded", () => {
  test("20,000 wrong logins from one address and 2,000 from others: a few audit rows and feed messages, every one counted", async () => {
    using f = adminFixture();
    const fed: unknown[] = [];
    f.feed.subscribe((e) => e.type === "admin-action" && fed.push(e));
    for (let i = 0; i < 20_000; i++) await f.request("/api/login", json({ token: `guess-${i}` }, { Origin: ORIGIN }), "10.1.1.1");
    for (let i = 0; i < 2_000; i++) await f.request("/api/login", json({ token: "guess" }, { Origin: ORIGIN }), `10.2.${i >> 8}.${i & 255}`);
    const { items } = (await (await f.request("/api/audit?limit=1000", { headers: bearer() })).json()) as { items: { source: string }[] };
    // 5 from the flooding address, then the 50-row budget of the minute is used by other addresses.
    expect(items.length).toBeLessThanOrEqual(50);
    expect(items.filter((r) => r.source === "10.1.1.1").length).toBe(5);
    expect(fed.length).toBe(items.length);
    const metrics = await (await f.request("/metrics", { headers: bearer() })).text();
    expect(metrics).toContain('workerman_bounded_events_total{kind="login-refused"} 22000');
  }, 90_000);
});

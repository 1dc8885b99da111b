// The admin plane is safe by default on a real socket: loopback only unless allowed, a 0600 token, Host checks, auth, throttling.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runMaster } from "../admin/master-process.ts";
import { AppUnderTest } from "../support/app-under-test.ts";
import { streamClient } from "../support/clients.ts";

const ECHO = `export default { onMessage(conn, line) { conn.send(line); } };`;
const workers = [{ name: "t", listen: "text://127.0.0.1:0", handler: "./t.ts" }];

/** A raw HTTP/1.1 request, so the test chooses the Host header (fetch would not let it lie). */
async function rawGet(port: number, path: string, host: string): Promise<string> {
  const client = await streamClient({ port });
  client.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  const text = await client.until((t) => /^HTTP\/1\.1 \d{3}/.test(t) && t.includes("\r\n\r\n"));
  client.socket.end();
  return text;
}

describe("admin plane security (e2e)", () => {
  test("first start: a 0600 token file, its path printed; no route but /healthz answers without it", async () => {
    await using app = await AppUnderTest.start({ workers, files: { "t.ts": ECHO } });
    const tokenFile = join(app.dir, "data/admin.token");
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(app.token).toMatch(/^[0-9a-f]{64}$/);
    expect(app.output.some((l) => l.includes(`created the admin token at ${tokenFile} (mode 0600)`))).toBe(true);
    expect((await fetch(`${app.adminUrl}/healthz`)).status).toBe(200);
    for (const path of ["/api/status", "/api/connections", "/api/events", "/metrics", "/api/audit"]) {
      expect((await fetch(app.adminUrl + path)).status).toBe(401);
    }
    expect(statSync(join(app.dir, "data/store.db")).mode & 0o777).toBe(0o600);
  });

  test("a Host header that is not the admin address is refused (DNS rebinding); the real one works", async () => {
    await using app = await AppUnderTest.start({ workers, files: { "t.ts": ECHO } });
    const port = Number(new URL(app.adminUrl).port);
    expect(await rawGet(port, "/healthz", `attacker.example:${port}`)).toStartWith("HTTP/1.1 403");
    expect(await rawGet(port, "/healthz", `127.0.0.1:${port}`)).toStartWith("HTTP/1.1 200");
    expect(await rawGet(port, "/healthz", `localhost:${port}`)).toStartWith("HTTP/1.1 200");
  });

  test("10 wrong tokens from one address: the next request is 429 with Retry-After", async () => {
    await using app = await AppUnderTest.start({ workers, files: { "t.ts": ECHO } });
    for (let i = 0; i < 10; i++) expect((await fetch(`${app.adminUrl}/api/status`, { headers: { Authorization: `Bearer guess${i}` } })).status).toBe(401);
    const blocked = await fetch(`${app.adminUrl}/api/status`, { headers: { Authorization: `Bearer ${app.token}` } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  test("a non-loopback admin address without admin.allowRemote: the master refuses to start (exit 2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wm-remote-"));
    try {
      writeFileSync(join(dir, "t.ts"), ECHO);
      const configPath = join(dir, "app.json");
      writeFileSync(configPath, JSON.stringify({ name: "r", dataDir: "data", admin: { listen: "0.0.0.0:0" }, workers }));
      await using run = runMaster(configPath, dir);
      expect(await run.started).toEqual({ exitCode: 2 });
      expect(run.output.join("\n")).toContain('E_CONFIG: admin.listen: host "0.0.0.0" is reachable from other machines: set "admin": { "allowRemote": true }');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("with admin.allowRemote it starts, and warns that the admin plane is reachable from other machines", async () => {
    await using app = await AppUnderTest.start({ workers, files: { "t.ts": ECHO }, extra: { admin: { listen: "0.0.0.0:0", allowRemote: true } } });
    expect(app.output.some((l) => l.startsWith("warning: the admin plane listens on http://0.0.0.0:") && l.includes("reachable from other machines"))).toBe(true);
    expect((await fetch(`${app.adminUrl}/api/status`)).status).toBe(401);
  });
});

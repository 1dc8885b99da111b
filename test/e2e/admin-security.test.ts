// The admin plane is safe by default on a real socket: loopback only unless allowed, a 0600 token, Host checks, auth, throttling.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runMaster } from "../admin/master-process.ts";
import { AppUnderTest, cliCommand } from "../support/app-under-test.ts";
import { connect } from "node:net";

const ECHO = `export default { onMessage(conn, line) { conn.send(line); } };`;
const workers = [{ name: "t", listen: "text://127.0.0.1:0", handler: "./t.ts" }];

/** A raw HTTP/1.1 request, so the test chooses the Host header (fetch would not let it lie) and the source address. */
async function rawGet(port: number, path: string, host: string, options: { from?: string; token?: string } = {}): Promise<string> {
  const socket = connect({ host: "127.0.0.1", port, localAddress: options.from });
  const auth = options.token ? `Authorization: Bearer ${options.token}\r\n` : "";
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${auth}Connection: close\r\n\r\n`);
  let text = "";
  for await (const chunk of socket) text += chunk;
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

  test("ten wrong tokens, then the right one: accepted from the same address, from 127.0.0.2, and by the CLI", async () => {
    await using app = await AppUnderTest.start({ workers, files: { "t.ts": ECHO } });
    const port = Number(new URL(app.adminUrl).port);
    for (let i = 0; i < 10; i++) expect((await fetch(`${app.adminUrl}/api/status`, { headers: { Authorization: `Bearer guess${i}` } })).status).toBe(401);
    const wrongAgain = await fetch(`${app.adminUrl}/api/status`, { headers: { Authorization: "Bearer guess10" } });
    expect(wrongAgain.status).toBe(429);
    expect(Number(wrongAgain.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await fetch(`${app.adminUrl}/api/status`, { headers: { Authorization: `Bearer ${app.token}` } })).status).toBe(200);
    expect(await rawGet(port, "/api/status", `127.0.0.1:${port}`, { from: "127.0.0.2", token: app.token })).toStartWith("HTTP/1.1 200");
    const cli = Bun.spawn([...cliCommand(), "status", "--config", app.configPath], { stdout: "pipe", stderr: "pipe" });
    expect(await cli.exited).toBe(0);
  });

  test("guesses spread over many loopback addresses are throttled globally; the right token still works", async () => {
    await using app = await AppUnderTest.start({ workers, files: { "t.ts": ECHO } });
    const port = Number(new URL(app.adminUrl).port);
    const statuses: string[] = [];
    for (let i = 2; i < 72; i++)
      statuses.push((await rawGet(port, "/api/status", `127.0.0.1:${port}`, { from: `127.0.0.${i}`, token: `guess${i}` })).slice(9, 12));
    expect(statuses.slice(0, 60).every((s) => s === "401")).toBe(true);
    expect(statuses.slice(60).every((s) => s === "429")).toBe(true);
    expect(await rawGet(port, "/api/status", `127.0.0.1:${port}`, { from: "127.0.0.99", token: app.token })).toStartWith("HTTP/1.1 200");
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
    expect(app.output.some((l) => l.startsWith("warning: the admin plane listens on http://0.0.0.0:") && l.includes("reachable from other machines"))).toBe(
      true,
    );
    expect((await fetch(`${app.adminUrl}/api/status`)).status).toBe(401);
  });
});

// Every admin refusal over a real socket has one shape, { error: { code, message, field? } }, and the CLI prints its sentence.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import type { ApiError } from "../../src/admin/contract.ts";
import { AppUnderTest, cliCommand } from "../support/app-under-test.ts";

const ECHO = `export default { onMessage(conn, line) { conn.send(line); } };`;

describe("admin error bodies (e2e)", () => {
  let app: AppUnderTest;
  const call = (path: string, init: RequestInit = {}, token: string | null = app.token) =>
    fetch(app.adminUrl + path, { ...init, headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...init.headers } });
  const post = (path: string, body: string) => call(path, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  const bodyOf = async (response: Response) => (await response.json()) as ApiError;

  beforeAll(async () => {
    app = await AppUnderTest.start({ workers: [{ name: "t", listen: "text://127.0.0.1:0", handler: "./t.ts" }], files: { "t.ts": ECHO } });
  }, 30_000);
  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
  });

  test("a bad body is a 400 naming its code and field, the sentence as before", async () => {
    const response = await post("/api/push", JSON.stringify({ to: { uid: "u1" } }));
    expect(response.status).toBe(400);
    expect(await bodyOf(response)).toEqual({
      error: { code: "E_USAGE", message: "bad body: data: missing: the message to send (a string, or JSON)", field: "data" },
    });
    const group = await post("/api/push", JSON.stringify({ to: { all: true, workerGroup: "nope" }, data: "x" }));
    expect(await bodyOf(group)).toEqual({
      error: { code: "E_USAGE", message: 'bad body: to.workerGroup: no worker group "nope" in this app (its groups: t)', field: "to.workerGroup" },
    });
    const notJson = await post("/api/push", "{not json");
    expect([notJson.status, await bodyOf(notJson)]).toEqual([400, { error: { code: "E_USAGE", message: "the body is not valid JSON" } }]);
  });

  test("a bad query parameter names it as the field", async () => {
    const response = await call("/api/metrics/history?step=0");
    expect(response.status).toBe(400);
    expect(await bodyOf(response)).toEqual({
      error: { code: "E_USAGE", message: 'step must be a number of seconds or a duration like 10s, 5m, 1h (at most 366d), not "0"', field: "step" },
    });
    const group = await call("/api/connections?group=nope");
    expect(await bodyOf(group)).toEqual({ error: { code: "E_USAGE", message: 'no group "nope" (groups: t)', field: "group" } });
  });

  test("no token and a wrong one: 401 E_AUTH with WWW-Authenticate", async () => {
    for (const token of [null, "w".repeat(64)]) {
      const response = await call("/api/status", {}, token);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("Bearer");
      const { error } = await bodyOf(response);
      expect(error.code).toBe("E_AUTH");
      expect(error.message).toStartWith("unauthorized: ");
      expect(error.field).toBeUndefined();
    }
  });

  test("an unknown route and a missing resource: 404 E_NOT_FOUND", async () => {
    const route = await call("/api/nope");
    expect([route.status, await bodyOf(route)]).toEqual([404, { error: { code: "E_NOT_FOUND", message: "no route GET /api/nope" } }]);
    const reload = await call("/api/reloads/999");
    expect([reload.status, await bodyOf(reload)]).toEqual([404, { error: { code: "E_NOT_FOUND", message: "no reload 999 (the master keeps the last 20)" } }]);
  });

  test("the guards answer the same way: a body over 64 KiB (413) and a foreign Host (403)", async () => {
    const big = await post("/api/push", JSON.stringify({ to: { all: true }, data: "x".repeat(70_000) }));
    expect([big.status, await bodyOf(big)]).toEqual([413, { error: { code: "E_BODY_TOO_LARGE", message: "the body is over 65536 bytes" } }]);
    const port = Number(new URL(app.adminUrl).port);
    const socket = connect({ host: "127.0.0.1", port });
    socket.write(`GET /healthz HTTP/1.1\r\nHost: attacker.example:${port}\r\nConnection: close\r\n\r\n`);
    let raw = "";
    for await (const chunk of socket) raw += chunk;
    expect(raw).toStartWith("HTTP/1.1 403");
    const { error } = JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)) as ApiError;
    expect(error).toEqual({ code: "E_FORBIDDEN", message: expect.stringContaining('Host "attacker.example:') });
  });

  test("the CLI prints the sentence, exit 1 as before", async () => {
    const cli = Bun.spawn([...cliCommand(), "retry", "--group", "nope", "--config", app.configPath], { stdout: "pipe", stderr: "pipe" });
    const [code, stderr] = await Promise.all([cli.exited, new Response(cli.stderr).text()]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('E_ADMIN: /api/groups/nope/retry: 404 no group "nope" (groups: t)');
  });
});

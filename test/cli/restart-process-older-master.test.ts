// restart --process against a master from before `wait` (a stand-in admin server answering as it did): the CLI asks again without it and follows status.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliCommand } from "../support/app-under-test.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const undo of cleanups.splice(0).reverse()) undo();
});

const row = (pid: number, generation: number, state: string) => ({ pid, group: "web", index: 0, generation, state });

test("the older master refuses wait (400 naming it): the restart is asked as it understands, then status is polled until the old pid has gone", async () => {
  const seen: string[] = [];
  let polls = 0;
  let asked = false;
  using server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (request.headers.get("authorization") !== "Bearer t0k3n") return Response.json({ error: { code: "E_AUTH", message: "no" } }, { status: 401 });
      if (request.method === "POST" && path === "/api/processes/111/restart") {
        const body = await request.json();
        seen.push(`POST ${JSON.stringify(body)}`);
        if ("wait" in body) return Response.json({ error: { code: "E_USAGE", message: 'bad body: Unrecognized key: "wait"' } }, { status: 400 });
        asked = true;
        return Response.json({ pid: 111, restarting: true }, { status: 202 });
      }
      if (path === "/api/status") {
        seen.push("GET status");
        if (asked) polls++;
        // Draining beside its successor for two reads, then gone.
        const processes = !asked ? [row(111, 1, "ready")] : polls <= 2 ? [row(111, 1, "draining"), row(222, 2, "ready")] : [row(222, 2, "ready")];
        return Response.json({ master: {}, groups: [], processes });
      }
      return Response.json({ error: { code: "E_NOT_FOUND", message: path } }, { status: 404 });
    },
  });
  const dir = mkdtempSync(join(tmpdir(), "wm-older-master-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "h.ts"), "export default { fetch: () => new Response('x') };\n");
  writeFileSync(
    join(dir, "app.json"),
    JSON.stringify({ name: "older", dataDir: "data", workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./h.ts" }] }),
  );
  mkdirSync(join(dir, "data"));
  writeFileSync(join(dir, "data", "admin.token"), "t0k3n\n");
  const runtime = {
    pid: process.pid,
    adminUrl: `http://127.0.0.1:${server.port}`,
    configPath: join(dir, "app.json"),
    startedAt: 0,
    version: "0.0.9",
    ready: true,
  };
  writeFileSync(join(dir, "data", "runtime.json"), JSON.stringify(runtime));
  const proc = Bun.spawn([...cliCommand(), "restart", "--process", "111", "--config", join(dir, "app.json")], { stdout: "pipe", stderr: "pipe" });
  cleanups.push(() => proc.kill("SIGKILL"));
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect({ code, err }).toEqual({ code: 0, err: "" });
  expect(out).toContain("web#0: pid 222 (generation 2) serves; pid 111 has drained");
  expect(seen.slice(0, 3)).toEqual(['POST {"wait":true}', "GET status", "POST {}"]);
  expect(polls).toBe(3);
});

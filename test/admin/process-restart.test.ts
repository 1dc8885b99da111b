// POST /api/processes/:pid/restart against a real master: with `wait` it answers once the successor serves and the old process is gone (from the table and from /proc), or refuses with the gate's reason while the old one keeps serving.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ApiError, ProcessRestartAnswer } from "../../src/admin/contract.ts";
import { AppUnderTest, cliCommand, isAlive } from "../support/app-under-test.ts";

// Unhealthy while the file "unhealthy" lies beside it: only a successor started then fails its gate.
const HANDLER = `import { existsSync } from "node:fs";
const flag = new URL("./unhealthy", import.meta.url);
export default {
  fetch: () => new Response(String(process.pid)),
  onHealthCheck: () => !existsSync(flag),
};
`;

let app: AppUnderTest;
beforeAll(async () => {
  app = await AppUnderTest.start({
    workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 1, handler: "./web.ts" }],
    files: { "web.ts": HANDLER },
    extra: { reload: { healthySeconds: 0, probationSeconds: 0 } },
  });
});
afterAll(() => app[Symbol.asyncDispose]());

async function restart(pid: number, body: unknown): Promise<{ status: number; json: ProcessRestartAnswer & Partial<ApiError> }> {
  const response = await fetch(`${app.adminUrl}/api/processes/${pid}/restart`, {
    method: "POST",
    headers: { Authorization: `Bearer ${app.token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function answeringPid(): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${await app.port("web")}/`, { headers: { connection: "close" } });
  return Number(await response.text());
}

/** The one web process, once it alone is ready (a previous test's old process may still be draining). */
async function theProcess(): Promise<number> {
  return app.waitFor(async () => {
    const rows = (await app.status()).processes.filter((p) => p.group === "web" && p.pid !== null);
    return rows.length === 1 && rows[0]!.state === "ready" && rows[0]!.pid!;
  });
}

describe("POST /api/processes/:pid/restart", () => {
  test("wait: answered once the successor serves and the old process has exited; the table and /proc agree at that moment", async () => {
    const old = await theProcess();
    const { status, json } = await restart(old, { wait: true });
    expect(status).toBe(202);
    expect(json).toMatchObject({ pid: old, group: "web", index: 0, restarting: false });
    const rows = (await app.status()).processes.filter((p) => p.group === "web");
    expect(isAlive(old)).toBe(false);
    expect(rows.map((p) => `${p.pid} ${p.state}`)).toEqual([`${json.newPid} ready`]);
    expect(rows[0]!.generation).toBe(json.generation!);
    expect(isAlive(json.newPid!)).toBe(true);
    expect(await answeringPid()).toBe(json.newPid!);
  });

  test("wait, a successor that fails its health check: 500 E_RESTART with the reason, and the old process keeps serving", async () => {
    const old = await theProcess();
    const flag = join(app.dir, "unhealthy");
    writeFileSync(flag, "");
    try {
      const { status, json } = await restart(old, { wait: true });
      expect(status).toBe(500);
      expect(json.error?.code).toBe("E_RESTART");
      expect(json.error?.message).toContain(`process ${old} was not restarted and keeps serving`);
      expect(json.error?.message).toContain("failed the health gate");
      expect(json.error?.message).toContain("onHealthCheck returned false");
    } finally {
      rmSync(flag, { force: true });
    }
    const ready = (await app.status()).processes.filter((p) => p.group === "web" && p.state === "ready");
    expect(ready.map((p) => p.pid)).toEqual([old]);
    // The successor listened once ready, and answers until its own stop ends: then only the old one is left.
    expect(await theProcess()).toBe(old);
    expect(await answeringPid()).toBe(old);
  });

  test("without wait: 202 at once (still restarting), and the slot gets its successor", async () => {
    const old = await theProcess();
    const { status, json } = await restart(old, {});
    expect(status).toBe(202);
    expect(json).toEqual({ pid: old, group: "web", index: 0, restarting: true });
    await app.waitFor(async () => (await theProcess()) !== old && !isAlive(old), 10_000, "the successor alone");
  });

  test("a wait that is not a boolean is refused, naming the field; an unknown pid is 404 with or without it", async () => {
    const old = await theProcess();
    const bad = await restart(old, { wait: "yes" });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: "E_USAGE", field: "wait" });
    expect((await restart(1, { wait: true })).status).toBe(404);
    expect(await theProcess()).toBe(old);
  });
});

describe("restart --process", () => {
  test("a successor that fails its gate: exit 1 with the reason; the process keeps serving", async () => {
    const old = await theProcess();
    const flag = join(app.dir, "unhealthy");
    writeFileSync(flag, "");
    try {
      const proc = Bun.spawn([...cliCommand(), "restart", "--process", String(old), "--config", app.configPath], { stdout: "pipe", stderr: "pipe" });
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      expect(code).toBe(1);
      expect(out).toContain(`restarting pid ${old}`);
      expect(err).toContain("keeps serving");
      expect(err).toContain("onHealthCheck returned false");
    } finally {
      rmSync(flag, { force: true });
    }
    expect(await theProcess()).toBe(old);
    expect(await answeringPid()).toBe(old);
  });
});

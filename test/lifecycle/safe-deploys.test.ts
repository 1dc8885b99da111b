// A broken release never takes the service down: reload rolls back with the reason, start fails fast, crash loops stay visible.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReloadRecord } from "../../src/admin/contract.ts";
import { AppUnderTest, cliCommand, isAlive, livePids, type Mode } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { httpLoad, servedMore } from "../support/http-load.ts";

const GOOD = `export default { fetch: () => new Response("pid " + process.pid) };\n`;
const SYNTAX_ERROR = `export default {\n  fetch() {\n    return new Response("pid " + process.pid};\n  },\n};\n`;
const DIES_AFTER_READY = `export default {\n  fetch: () => new Response("pid " + process.pid),\n  onWorkerStart() { setTimeout(() => process.exit(1), 1000); },\n};\n`;

async function cli(mode: Mode, ...args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([...cliCommand(mode), ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: stdout + stderr };
}

async function webApp(mode: Mode = "source"): Promise<AppUnderTest> {
  if (mode === "compiled") await ensureBinary();
  return AppUnderTest.start({ mode, workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }], files: { "web.ts": GOOD } });
}

describe("reload rolls a broken release back", () => {
  test("(a) a syntax error: reload exits 1 naming web.ts:3:45, the same pids serve, 0 failed requests (compiled)", async () => {
    await using app = await webApp("compiled");
    const before = (await app.pids("web")).sort();
    const load = httpLoad(`http://127.0.0.1:${await app.port("web")}/`, 4);
    writeFileSync(join(app.dir, "web.ts"), SYNTAX_ERROR);
    const reload = await cli("compiled", "reload", "--config", app.configPath);
    const result = await load.stop();
    expect(reload.out).toContain(`web: rolled back: web.ts:3:45 Expected ")" but found "}"`);
    expect(reload.code).toBe(1);
    expect((await app.pids("web")).sort()).toEqual(before);
    expect(result.errors.slice(0, 3)).toEqual([]);
    expect(result.ok).toBeGreaterThan(0);
    // Keep-alive connections stay on one process each: every pid that answered is an old one.
    expect([...result.pids].filter((pid) => !before.includes(pid))).toEqual([]);
    // The same reason, as data, in the reload record and the event log.
    const record = (await app.api<{ items: ReloadRecord[] }>("/api/reloads")).items[0]!;
    expect(record.state).toBe("rolled-back");
    expect(record.groups[0]!.reason).toMatchObject({ kind: "load-error", at: "web.ts:3:45", line: 3, column: 45 });
    expect(record.groups[0]!.reason!.lineText).toContain('new Response("pid " + process.pid}');
    const log = (await app.api<{ items: { type: string; data: { reason?: { at?: string } } }[] }>("/api/events/log?limit=50")).items;
    expect(log.find((e) => e.type === "reload-failed")?.data.reason?.at).toBe("web.ts:3:45");
  }, 60_000);

  test("(b) a release that exits 1 s after it is ready: rolled back inside the settle window, the old pids serve", async () => {
    await using app = await webApp();
    const before = (await app.pids("web")).sort();
    const load = httpLoad(`http://127.0.0.1:${await app.port("web")}/`, 4);
    writeFileSync(join(app.dir, "web.ts"), DIES_AFTER_READY);
    const reload = await cli("source", "reload", "--config", app.configPath);
    const result = await load.stop();
    expect(reload.out).toMatch(/web: rolled back: exited with code 1 1\.\d s after it was ready/);
    expect(reload.code).toBe(1);
    expect((await app.pids("web")).sort()).toEqual(before);
    expect(before.every(isAlive)).toBe(true);
    expect(result.ok).toBeGreaterThan(0);
    // Requests that reached a new process when it died may fail; the old generation never stopped serving.
    const after = await fetch(`http://127.0.0.1:${await app.port("web")}/`).then((r) => r.text());
    expect(before.map((pid) => `pid ${pid}`)).toContain(after);
  }, 60_000);

  test("onHealthCheck: false (or a throw) rolls back with what it said; an async true lets the release through", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts", healthySeconds: 0.3 }],
      files: { "web.ts": GOOD },
    });
    const before = (await app.pids("web")).sort();
    writeFileSync(join(app.dir, "web.ts"), `export default { fetch: () => new Response("v2"), onHealthCheck: () => false };\n`);
    const refused = await cli("source", "reload", "--config", app.configPath);
    expect(refused.out).toContain("web: rolled back: onHealthCheck returned false");
    expect(refused.code).toBe(1);
    writeFileSync(join(app.dir, "web.ts"), `export default { fetch: () => new Response("v2"), onHealthCheck() { throw new Error("cache cold"); } };\n`);
    expect((await cli("source", "reload", "--config", app.configPath)).out).toContain("web: rolled back: onHealthCheck threw: cache cold");
    expect((await app.pids("web")).sort()).toEqual(before);
    writeFileSync(join(app.dir, "web.ts"), `export default { fetch: () => new Response("v2"), onHealthCheck: async (worker) => worker.name === "web" };\n`);
    const passed = await cli("source", "reload", "--config", app.configPath);
    expect(passed.out).toContain("web: 2 replaced");
    expect(passed.code).toBe(0);
    expect((await app.status()).lastReload).toMatchObject({ state: "done", groups: [{ name: "web", phase: "replaced", replaced: 2 }] });
  }, 60_000);

  test("a good release after a rolled-back one replaces every pid and reload exits 0", async () => {
    await using app = await webApp();
    const before = await app.pids("web");
    writeFileSync(join(app.dir, "web.ts"), SYNTAX_ERROR);
    expect((await cli("source", "reload", "--config", app.configPath)).code).toBe(1);
    writeFileSync(join(app.dir, "web.ts"), GOOD);
    const reload = await cli("source", "reload", "--config", app.configPath);
    expect(reload.out).toContain("web: 2 replaced");
    expect(reload.code).toBe(0);
    const after = await app.pids("web");
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    expect((await cli("source", "reload", "--no-wait", "--config", app.configPath)).code).toBe(0);
  }, 60_000);
});

describe("config changes apply by reload", () => {
  function rewrite(app: AppUnderTest, change: (config: { workers: Record<string, unknown>[] } & Record<string, unknown>) => void): void {
    const config = JSON.parse(readFileSync(app.configPath, "utf8"));
    change(config);
    writeFileSync(app.configPath, JSON.stringify(config, null, 2));
  }

  test("(c) count 2 -> 3 and a new handler version by reload: 3 new pids, 0 failed requests", async () => {
    await using app = await webApp();
    const before = await app.pids("web");
    const port = await app.port("web");
    const load = httpLoad(`http://127.0.0.1:${port}/`, 4);
    writeFileSync(join(app.dir, "web.ts"), `export default { fetch: () => new Response("v2 pid " + process.pid) };\n`);
    rewrite(app, (config) => (config.workers[0]!.count = 3));
    const reload = await cli("source", "reload", "--config", app.configPath);
    await servedMore(load, 20, "after the reload");
    const result = await load.stop();
    expect(reload.out).toContain("web: 3 replaced (changed: count)");
    expect(reload.code).toBe(0);
    const after = await app.waitFor(
      async () => {
        const s = await app.status();
        const web = s.processes.filter((p) => p.group === "web");
        return web.length === 3 && web.every((p) => p.state === "ready") ? livePids(web) : undefined;
      },
      10_000,
      "3 ready processes, the old ones gone",
    );
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    expect((await app.status()).groups[0]!.count).toBe(3);
    expect(await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())).toMatch(/^v2 pid \d+$/);
    expect(result.errors.slice(0, 3)).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.ok).toBeGreaterThan(0);
  }, 60_000);

  test("(d) count: 0 on reload: exit 2 naming count, nothing changes (the API answers 422 with the field)", async () => {
    await using app = await webApp();
    const before = (await app.pids("web")).sort();
    rewrite(app, (config) => (config.workers[0]!.count = 0));
    const reload = await cli("source", "reload", "--config", app.configPath);
    expect(reload.code).toBe(2);
    expect(reload.out).toContain("workers[0].count");
    const response = await fetch(`${app.adminUrl}/api/reload`, {
      method: "POST",
      headers: { Authorization: `Bearer ${app.token}`, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      error: { code: "E_CONFIG", message: expect.stringMatching(/^workers\[0\]\.count: /), field: "workers[0].count" },
    });
    expect((await app.pids("web")).sort()).toEqual(before);
    expect((await app.status()).groups[0]!.count).toBe(2);
  }, 30_000);

  test("a new group starts, a removed one drains, admin.listen is named as needing a restart", async () => {
    await using app = await AppUnderTest.start({
      workers: [
        { name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" },
        { name: "old", listen: "http://127.0.0.1:0", handler: "./web.ts" },
      ],
      files: { "web.ts": GOOD },
      extra: { reload: { healthySeconds: 0.3 } },
    });
    const old = await app.pids("old");
    rewrite(app, (config) => {
      config.workers = [config.workers[0]!, { name: "api", listen: "http://127.0.0.1:0", handler: "./web.ts", count: 2 }];
      config.admin = { listen: "127.0.0.1:1" };
    });
    // The CLI finds the master through the data directory, not admin.listen, so it still reaches the running one.
    const reload = await cli("source", "reload", "--config", app.configPath);
    expect(reload.out).toContain("needs restart: admin.listen");
    expect(reload.out).toContain("api: 2 started (new group)");
    expect(reload.out).toContain("old: removed");
    expect(reload.out).toContain("web: 1 replaced");
    expect(reload.code).toBe(0);
    const status = await app.status();
    expect(status.groups.map((g) => g.name)).toEqual(["web", "api"]);
    await app.waitFor(() => old.every((pid) => !isAlive(pid)), 5000, "the removed group's process to exit");
    expect((await app.pids("api")).length).toBe(2);
  }, 30_000);
});

describe("start fails fast", () => {
  function brokenApp(): { dir: string; config: string } {
    const dir = mkdtempSync(join(tmpdir(), "wm-broken-"));
    writeFileSync(join(dir, "web.ts"), SYNTAX_ERROR);
    const config = join(dir, "app.json");
    writeFileSync(
      config,
      JSON.stringify({
        name: "b",
        dataDir: "data",
        admin: { listen: "127.0.0.1:0" },
        workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }],
      }),
    );
    return { dir, config };
  }

  for (const daemon of [false, true]) {
    test(`(g) start${daemon ? " -d" : ""} with a syntax error exits 2 within seconds, naming web.ts:3:45`, async () => {
      const { dir, config } = brokenApp();
      try {
        const startedAt = Date.now();
        const result = await cli("source", "start", ...(daemon ? ["-d"] : []), "--config", config);
        expect(Date.now() - startedAt).toBeLessThan(10_000);
        expect(result.code).toBe(2);
        expect(result.out).toContain(`group "web" cannot start: web.ts:3:45 Expected ")" but found "}"`);
        expect(result.out).toContain('return new Response("pid " + process.pid};');
        expect((await cli("source", "status", "--config", config)).code).not.toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 30_000);
  }
});

describe("a crash loop stays visible", () => {
  test("(e) a worker that crashes at every start after a healthy start keeps its row: backoff/crashloop, restarts, lastExit", async () => {
    const handler = `import { existsSync } from "node:fs";\nif (existsSync(import.meta.dir + "/broken")) { console.error("no database"); process.exit(3); }\nexport default { fetch: () => new Response("pid " + process.pid) };\n`;
    await using app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 1, handler: "./web.ts" }],
      files: { "web.ts": handler },
    });
    const [pid] = await app.pids("web");
    writeFileSync(join(app.dir, "broken"), "");
    process.kill(pid!, "SIGKILL");
    const row = await app.waitFor(
      async () => (await app.status()).processes.find((p) => p.group === "web" && p.state === "crashloop"),
      15_000,
      "a crashloop row",
    );
    // No process fills the slot: null, never 0 (a script's process.kill(0) would signal its own process group).
    expect(row.pid).toBeNull();
    expect(row.restarts).toBeGreaterThanOrEqual(3);
    expect(row.lastExit).toMatchObject({ code: 3, signal: null });
    expect(row.lastExit!.reason.text).toContain("no database");
    expect(row.nextRetryAt).toBeGreaterThan(Date.now() - 1000);
    // Between two attempts the row waits (pid -); during one it shows the attempt's pid: wait for a waiting moment.
    const waitingRow = /^-\s+web\s+0\s+0\s+(crashloop|backoff)\s/m;
    const table = await app.waitFor(
      async () => {
        const shown = await cli("source", "status", "--config", app.configPath);
        return waitingRow.test(shown.out) ? shown : undefined;
      },
      15_000,
      "the status table's waiting row (pid -)",
    );
    expect(table.out).toContain("exit 3");
    rmSync(join(app.dir, "broken"));
    const retry = await cli("source", "retry", "--group", "web", "--config", app.configPath);
    expect(retry.code).toBe(0);
    await app.waitFor(async () => (await app.pids("web")).length === 1, 5000, "web ready again after retry");
  }, 60_000);
});

// Floods a stranger can send (a handler that throws on every request, wrong logins) grow the store and the log by a bounded amount.
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogFile } from "../../src/master/log-file.ts";
import { runMaster } from "../admin/master-process.ts";
import { AppUnderTest, cliCommand, isAlive } from "../support/app-under-test.ts";
import { parsePrometheus } from "../admin/prometheus-parser.ts";

/** Runs wrk for a few seconds (modest: one thread, 8 connections); returns the responses it completed. */
async function wrk(url: string, seconds: number, script?: string): Promise<number> {
  const args = ["wrk", "-t1", "-c8", `-d${seconds}s`, ...(script ? ["-s", script] : []), url];
  const proc = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
  const [out, , code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  if (code !== 0 || !requests) throw new Error(`wrk failed (${code}):\n${out}`);
  return requests;
}

function storeBytes(dir: string): number {
  const db = join(dir, "data/store.db");
  return [db, `${db}-wal`].reduce((sum, path) => sum + (existsSync(path) ? statSync(path).size : 0), 0);
}

/** Reads the store the way an operator would after the fact (the master has stopped and flushed its summaries). */
function storedRows(dir: string): { events: { type: string; data: string }[]; audit: { action: string; result: string; detail: string | null }[] } {
  const db = new Database(join(dir, "data/store.db"), { readonly: true });
  try {
    return {
      events: db.query("SELECT type, data FROM events").all() as { type: string; data: string }[],
      audit: db.query("SELECT action, result, detail FROM audit").all() as { action: string; result: string; detail: string | null }[],
    };
  } finally {
    db.close();
  }
}

async function bounded(app: AppUnderTest, kind: string): Promise<{ seen: number; suppressed: number }> {
  const families = parsePrometheus(await (await fetch(`${app.adminUrl}/metrics`, { headers: { Authorization: `Bearer ${app.token}` } })).text());
  const pick = (name: string) => families.get(name)?.samples.find((s) => s.labels.kind === kind)?.value ?? 0;
  return { seen: pick("workerman_bounded_events_total"), suppressed: pick("workerman_bounded_events_suppressed_total") };
}

describe("floods are bounded (e2e)", () => {
  test("an http handler that throws on every request: wrk for 4 s adds a handful of rows and log lines, and the counters count every error", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" }],
      files: { "web.ts": `export default { fetch() { throw new Error("thrown on every request, on purpose"); } };` },
    });
    const port = await app.port("web");
    const linesBefore = app.output.length;
    const requests = await wrk(`http://127.0.0.1:${port}/`, 4);
    expect(requests).toBeGreaterThan(1000);
    // Every error is counted, by the worker and by the master's gate, though few are kept.
    const counted = await app.waitFor(
      async () => {
        const c = await bounded(app, "handler-error");
        return c.seen >= requests ? c : undefined;
      },
      10_000,
      "the master to count every handler error",
    );
    expect(counted.suppressed).toBeGreaterThanOrEqual(requests - 10);
    expect(await app.stop()).toBe(0);

    const { events } = storedRows(app.dir);
    const errors = events.filter((e) => e.type === "handler-error");
    const summaries = events.filter((e) => e.type === "events-suppressed").map((e) => JSON.parse(e.data));
    // A 4 s flood spans at most two one-minute windows: at most 5 kept per window, and one summary each.
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThanOrEqual(10);
    expect(summaries.length).toBeGreaterThan(0);
    expect(summaries.length).toBeLessThanOrEqual(2);
    expect(summaries[0]).toMatchObject({ event: "handler-error", group: "web", like: "fetch threw: thrown on every request, on purpose" });
    expect(errors.length + summaries.reduce((n, s) => n + s.count, 0)).toBeGreaterThanOrEqual(requests);
    // The whole store, checkpointed at stop: a fresh one is ~100 KB; on the unbounded code this flood made tens of MB.
    const grown = storeBytes(app.dir);
    const newLines = app.output.slice(linesBefore);
    console.log(
      `handler-error flood: ${requests} requests, ${errors.length} error rows + ${summaries.length} summary, store.db ${grown} bytes, ${newLines.length} log lines`,
    );
    expect(grown).toBeLessThan(512 * 1024);
    expect(newLines.length).toBeLessThan(200);
    expect(newLines.some((l) => l.includes("more like this in the last minute: fetch threw: thrown on every request"))).toBe(true);
  }, 60_000);

  test("wrong logins from wrk for 4 s: a few audit rows per source and a summary; the counter counts each", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "t", listen: "text://127.0.0.1:0", handler: "./t.ts" }],
      files: { "t.ts": `export default { onMessage(conn, line) { conn.send(line); } };` },
    });
    const script = join(app.dir, "login.lua");
    writeFileSync(
      script,
      `wrk.method = "POST"
wrk.body = '{"token":"not-the-token-at-all"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Origin"] = "${app.adminUrl}"
`,
    );
    const linesBefore = app.output.length;
    const requests = await wrk(`${app.adminUrl}/api/login`, 4, script);
    expect(requests).toBeGreaterThan(2000);
    const counted = await bounded(app, "login-refused");
    expect(counted.seen).toBeGreaterThanOrEqual(requests);
    // The operator is not locked out by it.
    const login = await fetch(`${app.adminUrl}/api/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: app.adminUrl },
      body: JSON.stringify({ token: app.token }),
    });
    expect(login.status).toBe(200);
    expect(await app.stop()).toBe(0);

    const { audit, events } = storedRows(app.dir);
    const refused = audit.filter((r) => r.action === "login" && r.result.startsWith("refused"));
    const summaries = refused.filter((r) => r.result.includes("more like this"));
    // The whole store, checkpointed at stop: a fresh one is ~100 KB; on the unbounded code this flood made tens of MB.
    const grown = storeBytes(app.dir);
    console.log(`login flood: ${requests} wrong logins, ${refused.length} audit rows (${summaries.length} summaries), store.db ${grown} bytes`);
    expect(refused.length).toBeLessThanOrEqual(12);
    expect(summaries.length).toBeGreaterThan(0);
    const total = refused.length - summaries.length + summaries.reduce((n, r) => n + (JSON.parse(r.detail!) as { suppressed: number }).suppressed, 0);
    expect(total).toBeGreaterThanOrEqual(requests);
    expect(events.length).toBeLessThan(20);
    expect(grown).toBeLessThan(512 * 1024);
    expect(app.output.length - linesBefore).toBeLessThan(50);
  }, 60_000);
});

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([...cliCommand(), ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: out + err };
}

function logLines(dataDir: string): string[] {
  return readdirSync(dataDir)
    .filter((f) => f.startsWith("workerman.log"))
    .flatMap((f) => readFileSync(join(dataDir, f), "utf8").split("\n").filter(Boolean));
}

describe("the daemon's log and data directory (e2e)", () => {
  test("start -d: dataDir is made 0700, workerman.log 0600; a handler printing and throwing on every request under wrk adds a bounded number of lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wm-flood-log-"));
    const config = join(dir, "app.json");
    const dataDir = join(dir, "data");
    writeFileSync(
      join(dir, "web.ts"),
      `export default { fetch(req) { console.log("request from a stranger: " + req.url); throw new Error("thrown on every request"); } };`,
    );
    writeFileSync(
      config,
      JSON.stringify({
        name: "f",
        dataDir: "data",
        stopTimeout: 1,
        admin: { listen: "127.0.0.1:0" },
        workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" }],
      }),
    );
    let masterPid = 0;
    try {
      expect((await cli("start", "-d", "--config", config)).code).toBe(0);
      masterPid = JSON.parse(readFileSync(join(dataDir, "runtime.json"), "utf8")).pid;
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, "workerman.log")).mode & 0o777).toBe(0o600);
      const status = JSON.parse((await cli("status", "--json", "--config", config)).out);
      const port = Number(status.groups[0].listen.split(":").pop());
      const before = logLines(dataDir).length;
      const requests = await wrk(`http://127.0.0.1:${port}/`, 3);
      expect((await cli("stop", "--config", config)).code).toBe(0);
      const lines = logLines(dataDir);
      const added = lines.length - before;
      console.log(`daemon log: ${requests} requests that each print a line and throw: +${added} lines in workerman.log`);
      expect(requests).toBeGreaterThan(1000);
      // A 3 s flood spans at most two windows of 1,000 lines per group, plus the master's few lines and summaries.
      expect(added).toBeLessThan(2 * 1000 + 100);
      expect(lines.some((l) => /\[log\] [\d,]+ more lines from web in the last 60 s were left out/.test(l))).toBe(true);
    } finally {
      if (masterPid && isAlive(masterPid)) process.kill(masterPid, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("an existing data directory open to others is warned about (with the fix), not changed; an existing 0644 log is tightened to 0600", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wm-modes-"));
    try {
      mkdirSync(join(dir, "data"), { mode: 0o755 });
      chmodSync(join(dir, "data"), 0o755);
      writeFileSync(join(dir, "t.ts"), `export default { onMessage(conn, line) { conn.send(line); } };`);
      const configPath = join(dir, "app.json");
      writeFileSync(
        configPath,
        JSON.stringify({
          name: "m",
          dataDir: "data",
          stopTimeout: 1,
          admin: { listen: "127.0.0.1:0" },
          workers: [{ name: "t", listen: "text://127.0.0.1:0", handler: "./t.ts" }],
        }),
      );
      {
        await using run = runMaster(configPath, dir);
        expect("adminUrl" in (await run.started)).toBe(true);
        expect(run.output.some((l) => l.includes(`the data directory ${join(dir, "data")} is mode 0755`) && l.includes(`chmod 700 ${join(dir, "data")}`))).toBe(
          true,
        );
      }
      expect(statSync(join(dir, "data")).mode & 0o777).toBe(0o755);
      const logPath = join(dir, "data/old.log");
      writeFileSync(logPath, "an old line\n", { mode: 0o644 });
      chmodSync(logPath, 0o644);
      const log = new LogFile({ path: logPath, maxBytes: 1 << 20, keep: 2 });
      log.write("[master 1] a new line");
      log.close();
      expect(statSync(logPath).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

// Probation with real processes: a release that dies after the settle window is rolled back to the parked old code.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReloadRecord } from "../../src/admin/contract.ts";
import { AppUnderTest, cliCommand, isAlive, livePids, type Mode } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";

const release = (name: string, extra = "") => `export default {\n  fetch: () => new Response("${name} " + process.pid),${extra}\n};\n`;
const DIES_4S_AFTER_READY = release("v2", "\n  onWorkerStart() { setTimeout(() => process.exit(5), 4000); },");

async function cli(mode: Mode, ...args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([...cliCommand(mode), ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: stdout + stderr };
}

async function webApp(probationSeconds: number, mode: Mode = "source"): Promise<AppUnderTest> {
  if (mode === "compiled") await ensureBinary();
  return AppUnderTest.start({
    mode,
    workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" }],
    files: { "web.ts": release("v1") },
    extra: { reload: { healthySeconds: 1, probationSeconds } },
  });
}

/** `count` fresh requests (a new connection each), as "release pid" bodies. */
async function answers(port: number, count: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    bodies.push(
      await fetch(`http://127.0.0.1:${port}/`, { headers: { Connection: "close" } }).then(
        (r) => r.text(),
        (err: Error) => `error ${err.message}`,
      ),
    );
  }
  return bodies;
}

/** The old processes' status rows say `parked` (once their drain is over). */
function parkedRows(app: AppUnderTest, old: number[]): Promise<unknown> {
  const states = async () => (await app.status()).processes.filter((p) => old.includes(p.pid!)).map((p) => p.state);
  return app.waitFor(async () => (await states()).join() === "parked,parked", 5000, `pids ${old.join(", ")} parked`);
}

describe("probation", () => {
  test("a release that exits 4 s after ready: the parked old processes alone answer again, the record says why (compiled)", async () => {
    await using app = await webApp(20, "compiled");
    const port = await app.port("web");
    const old = (await app.pids("web")).sort();
    writeFileSync(join(app.dir, "web.ts"), DIES_4S_AFTER_READY);
    const reload = await cli("compiled", "reload", "--config", app.configPath);
    // reload returns after the settle window, as before, and says that probation runs.
    expect(reload.code).toBe(0);
    expect(reload.out).toMatch(
      /web: 2 replaced, old generation draining for up to \d+\.\d s; probation runs until .* \(\d+ s\): the old processes stay parked/,
    );
    const rolledBackAt = Date.now();
    await parkedRows(app, old);
    expect((await answers(port, 6)).every((body) => body.startsWith("v2 "))).toBe(true);
    // The release dies about 3 s later; the old code must serve alone well inside probationSeconds (20 s).
    await app.waitFor(
      async () => {
        const bodies = await answers(port, 10);
        return bodies.every((body) => old.map((pid) => `v1 ${pid}`).includes(body)) && bodies;
      },
      15_000,
      "the old processes alone answering",
    );
    expect(Date.now() - rolledBackAt).toBeLessThan(20_000);
    const record = (await app.api<{ items: ReloadRecord[] }>("/api/reloads")).items[0]!;
    expect(record.state).toBe("rolled-back");
    expect(record.groups[0]).toMatchObject({ phase: "rolled-back", probation: { outcome: "rolled-back" } });
    expect(record.groups[0]!.reason!.text).toMatch(/^exited with code 5 (3\.9|4\.\d) s after it was ready, during probation$/);
    const rows = (await app.status()).processes.filter((p) => p.group === "web");
    expect(rows.map((p) => `${p.pid} ${p.state}`).sort()).toEqual(old.map((pid) => `${pid} ready`));
    const status = await cli("compiled", "status", "--config", app.configPath);
    expect(status.out).toContain("rolled back during probation, the parked processes serve again: exited with code 5");
  }, 60_000);

  test("a good release: the old processes park (alive, taking no new connection), then exit when probation ends", async () => {
    await using app = await webApp(3);
    const port = await app.port("web");
    const old = (await app.pids("web")).sort();
    writeFileSync(join(app.dir, "web.ts"), release("v2"));
    const reload = await cli("source", "reload", "--config", app.configPath);
    expect(reload.code).toBe(0);
    await parkedRows(app, old);
    expect(old.every(isAlive)).toBe(true);
    expect((await answers(port, 10)).every((body) => body.startsWith("v2 "))).toBe(true);
    await app.waitFor(() => !old.some(isAlive), 10_000, `the parked pids ${old.join(", ")} to exit`);
    const record = (await app.api<{ items: ReloadRecord[] }>("/api/reloads")).items[0]!;
    expect(record).toMatchObject({ state: "done", groups: [{ phase: "replaced", probation: { outcome: "passed", parked: 2, lost: 0 } }] });
    // The master learns of an exit when it reaps the process, a moment after /proc shows it gone: status follows.
    const live = await app.waitFor(
      async () => {
        const pids = livePids((await app.status()).processes);
        return pids.length === 2 && pids;
      },
      5000,
      "status to show the 2 new processes only",
    );
    expect(live.some((pid) => old.includes(pid))).toBe(false);
  }, 60_000);

  test("stop during probation leaves nothing alive", async () => {
    const app = await webApp(30);
    try {
      const old = await app.pids("web");
      writeFileSync(join(app.dir, "web.ts"), release("v2"));
      expect((await cli("source", "reload", "--config", app.configPath)).code).toBe(0);
      const all = livePids((await app.status()).processes);
      expect(all.length).toBe(4);
      expect(all).toEqual(expect.arrayContaining(old));
      expect(await app.stop()).toBe(0);
      expect(all.filter(isAlive)).toEqual([]);
    } finally {
      await app[Symbol.asyncDispose]();
    }
  }, 60_000);
});

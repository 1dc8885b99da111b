// `diff --config F` against a real running master: per-group changes and restart-only keys, nothing applied; invalid files exit 2.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DiffReport } from "../../src/commands/diff.ts";
import { AppUnderTest, cliCommand } from "../support/app-under-test.ts";

const HANDLER = `export default { fetch() { return new Response("pid " + process.pid); }, onMessage(conn) { conn.send("pid " + process.pid); } };`;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([...cliCommand(), ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

function variant(app: AppUnderTest, name: string, change: (config: Record<string, any>) => void): string {
  const config = JSON.parse(readFileSync(app.configPath, "utf8"));
  change(config);
  const path = join(app.dir, name);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

describe("diff", () => {
  test("names each group's changed settings, added and removed groups, and restart-only keys; changes nothing", async () => {
    await using app = await AppUnderTest.start({
      files: { "web.ts": HANDLER },
      workers: [
        { name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" },
        { name: "old", listen: "text://127.0.0.1:0", handler: "./web.ts" },
        { name: "pinned", listen: "text://127.0.0.1:0", handler: "./web.ts", reloadable: false },
      ],
    });
    const pidsBefore = await app.pids("web");
    const same = await cli("diff", "--config", app.configPath);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/web\s+unchanged/);
    expect(same.stdout).not.toContain("needs restart");

    const next = variant(app, "next.json", (c) => {
      c.workers[0].count = 2;
      c.workers[0].env = { MODE: "new" };
      c.workers[1] = { name: "chat", listen: "ws://127.0.0.1:0", handler: "./web.ts" };
      c.admin.listen = "127.0.0.1:1";
      c.stopTimeout = 3;
      c.workers[2].env = { MODE: "new" };
    });
    const json = await cli("diff", "--json", "--config", next);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as DiffReport;
    expect(report.groups).toEqual([
      { name: "web", change: "changed", keys: ["count", "env"] },
      { name: "chat", change: "added", keys: [] },
      { name: "pinned", change: "changed", keys: ["env"] },
      { name: "old", change: "removed", keys: [] },
    ]);
    // What the reload itself would defer: the admin address, and any change to a "reloadable": false group.
    expect(report.needsRestart).toEqual(["admin.listen", "workers.pinned (reloadable: false)"]);
    expect(report.settings).toEqual(["stopTimeout"]);
    expect(report.runningVersion).toBe(1);

    const text = await cli("diff", "--config", next);
    expect(text.stdout).toMatch(/web\s+changed: count, env/);
    expect(text.stdout).toMatch(/needs restart: admin\.listen/);
    // Nothing was applied: the same processes serve and the master kept its config.
    expect(await app.pids("web")).toEqual(pidsBefore);
    expect((await app.status()).groups.map((g) => g.name)).toEqual(["web", "old", "pinned"]);
  });

  test("an invalid file exits 2 naming the field, without asking the master", async () => {
    await using app = await AppUnderTest.start({ files: { "web.ts": HANDLER }, workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" }] });
    const bad = variant(app, "bad.json", (c) => (c.workers[0].count = 0));
    const result = await cli("diff", "--config", bad);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("workers[0].count");
    expect(result.stdout).toBe("");
  });
});

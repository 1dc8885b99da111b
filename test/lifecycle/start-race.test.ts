// Two starts of one app at once leave one master: the data directory is claimed before any worker is spawned.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appDir, cleanUpApps, cli, mastersOf, pidFile } from "../support/restart-app.ts";

afterEach(cleanUpApps);

/** A port free now: with reusePort, two masters on one fixed port would both serve it unseen. */
function freePort(): number {
  const server = Bun.serve({ port: 0, fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}

test("two `start -d` at once on a fixed port: one master serves, the other is refused naming the running one", async () => {
  const { dir, config } = appDir();
  const app = { name: "race", dataDir: "data", stopTimeout: 1, admin: { listen: "127.0.0.1:0" } };
  const workers = [{ name: "web", listen: `http://127.0.0.1:${freePort()}`, count: 1, handler: "./web.ts" }];
  writeFileSync(config, JSON.stringify({ ...app, name: dir.split("/").pop(), workers }));
  const [first, second] = await Promise.all([cli("start", "-d", "--config", config), cli("start", "-d", "--config", config)]);
  expect([first.code, second.code].sort()).toEqual([0, 1]);
  const refused = first.code === 0 ? second : first;
  expect(refused.stderr).toMatch(/already (running|starting) as pid \d+/);
  expect(mastersOf(config)).toEqual([pidFile(dir)]);
}, 60_000);

test("a lock left by a master that died, or naming a pid another program has now, does not block a start", async () => {
  for (const holder of [process.pid, 2 ** 22 - 7]) {
    const { dir, config } = appDir();
    mkdirSync(join(dir, "data"), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, "data/master.lock"), `${holder}\n`);
    const started = await cli("start", "-d", "--config", config);
    expect(started.stderr).toBe("");
    expect(started.code).toBe(0);
    expect(mastersOf(config)).toEqual([pidFile(dir)]);
    expect((await cli("stop", "--config", config)).code).toBe(0);
    expect(existsSync(join(dir, "data/master.lock"))).toBe(false);
  }
}, 60_000);

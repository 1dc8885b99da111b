// worker.shared on one host outlives the master: a `restart` (a new master takes over) and a stop and start keep every value.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive } from "../support/app-under-test.ts";
import { cli, pidFile, status, waitFor } from "../support/restart-app.ts";
import { call, read, SHARED_APP } from "./shared-clients.ts";

const dir = mkdtempSync(join(tmpdir(), "wm-shared-restart-"));
const config = join(dir, "app.json");
writeFileSync(
  config,
  JSON.stringify({
    name: "shared-restart",
    dataDir: "data",
    stopTimeout: 1,
    drainWindowMs: 50,
    admin: { listen: "127.0.0.1:0" },
    workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: SHARED_APP }],
  }),
);

afterAll(async () => {
  try {
    const pid = pidFile(dir);
    if (isAlive(pid)) process.kill(pid, "SIGTERM");
    await waitFor(() => !isAlive(pid), `master ${pid} to stop`, 10_000);
  } catch {
    // not running
  }
  rmSync(dir, { recursive: true, force: true });
});

async function webPort(): Promise<number> {
  const listen = (await status(dir)).groups.find((g) => g.name === "web")!.listen;
  return Number(listen.slice(listen.lastIndexOf(":") + 1));
}

test("values survive a master restart (a new master takes over from the old) and a stop and start", async () => {
  expect((await cli("start", "-d", "--config", config)).code).toBe(0);
  let port = await webPort();
  await call(port, { op: "set", key: "device:7", value: { t: 21.5, at: 1 } });
  await call(port, { op: "incr", key: "readings", by: 41 });
  const oldMaster = pidFile(dir);

  const restarted = await cli("restart", "-d", "--config", config);
  expect(restarted.code).toBe(0);
  expect(pidFile(dir)).not.toBe(oldMaster);
  port = await webPort();
  expect(await read(port, "device:7")).toEqual({ t: 21.5, at: 1 });
  expect((await call(port, { op: "incr", key: "readings" })).value).toBe(42);

  expect((await cli("stop", "--config", config)).code).toBe(0);
  expect((await cli("start", "-d", "--config", config)).code).toBe(0);
  port = await webPort();
  expect(await read(port, "readings")).toBe(42);
  expect(await read(port, "device:7")).toEqual({ t: 21.5, at: 1 });
}, 60_000);

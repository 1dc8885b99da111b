// The master's store on disk: history and events survive a kill -9 of the master, and a broken store never stops it serving.
import { describe, expect, test } from "bun:test";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { MetricsHistoryResponse, StatusResponse, StoredEvent } from "../../src/admin/contract.ts";
import { runMaster } from "../admin/master-process.ts";
import { AppUnderTest, isAlive } from "../support/app-under-test.ts";
import { expectNothingWithin } from "../support/wait.ts";

const ECHO = `export default { onMessage(conn, line) { conn.send(line); } };`;
const workers = [{ name: "t", listen: "text://127.0.0.1:0", handler: "./t.ts" }];

async function getJson<T>(url: string, token: string): Promise<T> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

describe("store (e2e)", () => {
  test("history and events written before a kill -9 of the master are read back after a restart", async () => {
    await using app = await AppUnderTest.start({ workers, files: { "t.ts": ECHO } });
    const [firstPid] = await app.pids("t");
    // Wait until a few per-second samples of this worker are on disk.
    const seen = await app.waitFor(
      async () => {
        const h = await app.api<MetricsHistoryResponse>("/api/metrics/history?step=1");
        const points = h.processes.find((p) => p.pid === firstPid)?.points ?? [];
        return points.length >= 3 ? points : undefined;
      },
      8000,
      "3 samples",
    );
    expect(seen.every((p) => p.rssBytes > 0)).toBe(true);
    const firstMaster = app.master.pid;
    app.master.kill("SIGKILL");
    await app.master.exited;
    await app.waitFor(() => !isAlive(firstPid!), 3000, "the orphaned worker to exit");

    await using second = runMaster(app.configPath, app.dir);
    const started = await second.started;
    if (!("adminUrl" in started)) throw new Error(`restart failed:\n${second.output.join("\n")}`);
    const history = await getJson<MetricsHistoryResponse>(`${started.adminUrl}/api/metrics/history?step=1&from=${Date.now() - 600_000}`, app.token);
    const before = history.processes.find((p) => p.pid === firstPid);
    expect(before?.group).toBe("t");
    expect(before!.points.length).toBeGreaterThanOrEqual(seen.length);
    expect(before!.points.slice(0, seen.length).map((p) => p.at)).toEqual(seen.map((p) => p.at));
    const events = (await getJson<{ items: StoredEvent[] }>(`${started.adminUrl}/api/events/log?limit=500`, app.token)).items;
    const masters = events.filter((e) => e.type === "master-started").map((e) => e.pid);
    expect(masters).toEqual([second.proc.pid, firstMaster]);
    expect(events.some((e) => e.type === "process-ready" && e.pid === firstPid)).toBe(true);
    // The first master never said it stopped: kill -9 gave it no chance.
    expect(events.some((e) => e.type === "master-stopped" && e.pid === firstMaster)).toBe(false);
  }, 40_000);

  test("a store that cannot open (a folder where store.db should be): the master serves and /api/status says why", async () => {
    await using app = await AppUnderTest.start({ workers, files: { "t.ts": ECHO } });
    const { configPath, dir, token } = app;
    await app.stop();
    for (const file of ["store.db", "store.db-wal", "store.db-shm"]) rmSync(join(dir, "data", file), { force: true });
    mkdirSync(join(dir, "data/store.db/occupied"), { recursive: true });

    await using broken = runMaster(configPath, dir);
    const started = await broken.started;
    if (!("adminUrl" in started)) throw new Error(`start failed:\n${broken.output.join("\n")}`);
    const status = await getJson<StatusResponse>(`${started.adminUrl}/api/status`, token);
    expect(status.processes.map((p) => p.state)).toEqual(["ready"]);
    expect(status.master.storeError).toMatchObject({ available: false });
    expect(status.master.storeError!.errors).toBeGreaterThanOrEqual(1);
    const history = await fetch(`${started.adminUrl}/api/metrics/history`, { headers: { Authorization: `Bearer ${token}` } });
    expect(history.status).toBe(503);
    const storeLines = () => broken.output.filter((l) => l.includes("the store at")).length;
    // Deliberate: 1.5 s spans a stats tick, which writes to the store again; the failure must still be said once.
    await expectNothingWithin(1500, () => storeLines() > 1, "the store failure was logged again");
    expect(storeLines()).toBe(1);
    expect(broken.proc.exitCode).toBeNull();
  }, 40_000);
});

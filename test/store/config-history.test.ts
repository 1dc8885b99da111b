// The applied-config history on a real store file, and the admin routes that read it (app.request, no socket).
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigVersion, ConfigVersionDetail, ListResponse, RunningConfigResponse } from "../../src/admin/contract.ts";
import type { AppConfig } from "../../src/config/types.ts";
import { ConfigHistory, hideSecrets } from "../../src/store/config-history.ts";
import { StoreConnection, storePath } from "../../src/store/store.ts";
import { adminFixture, bearer } from "../admin/admin-fixture.ts";

let dir: string;
let conn: StoreConnection;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wm-configs-"));
  conn = new StoreConnection(storePath(dir), () => {});
});
afterEach(() => {
  conn.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(count: number, extra: Partial<AppConfig> = {}): AppConfig {
  return {
    name: "demo",
    configPath: "/app/app.json",
    baseDir: "/app",
    dataDir: "/app/data",
    stopTimeout: 2,
    gracefulTimeout: 60,
    drainWindowMs: 300,
    admin: { host: "127.0.0.1", port: 9090, metricsPublic: false, allowRemote: false },
    log: { maxBytes: 1000, keep: 5, format: "text" },
    store: { keepSecondSamples: 60, keepMinuteSamples: 600, keepEvents: 600 },
    reload: { healthySeconds: 2, startTimeout: 10, probationSeconds: 30 },
    workers: [
      {
        name: "web",
        listen: { scheme: "http", host: "127.0.0.1", port: 8080, url: "http://127.0.0.1:8080" },
        count,
        handler: "/app/web.ts",
        reloadable: true,
        maxPackageSize: 1,
        maxSendBufferSize: 1,
        maxBodySize: 1,
        maxBufferedInput: 1,
        packageTimeout: 30,
        idleTimeout: 60,
        socketMode: 0o666,
        env: {},
        watchdogSeconds: 10,
      },
    ],
    ...extra,
  };
}

describe("config history", () => {
  test("versions count up with who applied them and the diff against the one before", () => {
    const history = new ConfigHistory(conn);
    expect(history.record(config(2), "start", 1000)).toEqual({
      version: 1,
      at: 1000,
      who: "start",
      diff: { groups: [{ name: "web", change: "added", keys: [] }], needsRestart: [] },
    });
    const second = history.record(config(3), "reload (token from 127.0.0.1)", 2000);
    expect(second?.version).toBe(2);
    expect(second?.diff.groups).toEqual([{ name: "web", change: "changed", keys: ["count"] }]);
    expect(history.list(10).map((v) => [v.version, v.who])).toEqual([
      [2, "reload (token from 127.0.0.1)"],
      [1, "start"],
    ]);
    expect((history.get(2)?.config.workers as { count: number }[])[0]!.count).toBe(3);
    expect(history.latestVersion()).toBe(2);
  });

  test("the same config again (a plain restart) is not a new version; a stopTimeout change is", () => {
    const history = new ConfigHistory(conn);
    history.record(config(2), "start");
    expect(history.record(config(2), "restart")?.version).toBe(1);
    expect(history.record(config(2, { stopTimeout: 9 }), "reload")?.version).toBe(2);
    expect(history.list(10)).toHaveLength(2);
  });

  test("only the last N versions are kept", () => {
    const history = new ConfigHistory(conn, 3);
    for (let count = 1; count <= 6; count++) history.record(config(count), "reload");
    expect(history.list(10).map((v) => v.version)).toEqual([6, 5, 4]);
    expect(history.get(3)).toBeNull();
  });

  test("a config applied while the store refuses writes (full or read-only disk) is recorded with its own time once it takes them again", async () => {
    const history = new ConfigHistory(conn, 50, 20);
    history.record(config(1), "start", 1000);
    conn.attempt("refuse writes", (db) => db.run("PRAGMA query_only = 1"), undefined);
    expect(history.record(config(2), "reload", 2000)).toBeNull();
    expect(history.record(config(3), "reload", 3000)).toBeNull();
    expect(history.list(10).map((v) => v.version)).toEqual([1]);
    conn.attempt("take writes", (db) => db.run("PRAGMA query_only = 0"), undefined);
    await Bun.sleep(60);
    expect(history.list(10).map((v) => [v.version, v.at])).toEqual([
      [3, 3000],
      [2, 2000],
      [1, 1000],
    ]);
    expect(history.record(config(4), "reload", 4000)?.version).toBe(4);
  });

  test("a store that cannot open answers null and empty lists without throwing", () => {
    const broken = new StoreConnection(join(dir, "missing", "\0bad"), () => {});
    const history = new ConfigHistory(broken);
    expect(history.record(config(1), "start")).toBeNull();
    expect(history.list(5)).toEqual([]);
    expect(history.latestVersion()).toBeNull();
  });

  test("the dashboard password hash never leaves the API, but a change of it still shows", () => {
    const withHash = (hash: string) => config(1, { admin: { host: "127.0.0.1", port: 9090, metricsPublic: false, allowRemote: false, passwordHash: hash } });
    const shown = hideSecrets(withHash("$argon2id$secret")).admin.passwordHash!;
    expect(shown).not.toContain("secret");
    expect(hideSecrets(withHash("$argon2id$secret")).admin.passwordHash).toBe(shown);
    expect(hideSecrets(withHash("$argon2id$other")).admin.passwordHash).not.toBe(shown);
  });
});

describe("GET /api/config and /api/configs", () => {
  test("the running config and the recorded versions, behind the token", async () => {
    using f = adminFixture();
    f.store.configs.record(f.ctx.config, "start");
    expect((await f.request("/api/configs")).status).toBe(401);
    const running = (await (await f.request("/api/config", { headers: bearer() })).json()) as RunningConfigResponse;
    expect(running.version).toBe(1);
    expect((running.config.workers as { name: string }[])[0]!.name).toBe("web");
    const list = (await (await f.request("/api/configs", { headers: bearer() })).json()) as ListResponse<ConfigVersion>;
    expect(list.items.map((v) => v.who)).toEqual(["start"]);
    const one = (await (await f.request("/api/configs/1", { headers: bearer() })).json()) as ConfigVersionDetail;
    expect(one.config.name).toBe("t");
    const missing = await f.request("/api/configs/7", { headers: bearer() });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: "E_NOT_FOUND", message: expect.stringContaining("no config version 7") } });
    expect((await f.request("/api/configs/x", { headers: bearer() })).status).toBe(400);
  });
});

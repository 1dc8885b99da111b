import { describe, expect, test } from "bun:test";
import { diffConfig, isEmptyDiff, liveSettingChanges } from "../../src/config/config-diff.ts";
import type { AppConfig, WorkerGroupConfig } from "../../src/config/types.ts";

function group(name: string, overrides: Partial<WorkerGroupConfig> = {}): WorkerGroupConfig {
  return {
    name,
    listen: { scheme: "http", host: "127.0.0.1", port: 8080, url: "http://127.0.0.1:8080" },
    count: 2,
    handler: "/app/web.ts",
    reloadable: true,
    maxPackageSize: 10 << 20,
    maxSendBufferSize: 1 << 20,
    maxBodySize: 10 << 20,
    maxBufferedInput: 64 << 20,
    packageTimeout: 30,
    idleTimeout: 60,
    socketMode: 0o666,
    env: {},
    watchdogSeconds: 10,
    ...overrides,
  };
}

function config(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    name: "demo",
    configPath: "/app/app.json",
    baseDir: "/app",
    dataDir: "/app/.workerman",
    stopTimeout: 2,
    gracefulTimeout: 60,
    drainWindowMs: 300,
    admin: { host: "127.0.0.1", port: 9090, metricsPublic: false, allowRemote: false },
    log: { maxBytes: 10 << 20, keep: 5, format: "text" },
    store: { keepSecondSamples: 3600, keepMinuteSamples: 604800, keepEvents: 2592000 },
    reload: { healthySeconds: 2, startTimeout: 10, probationSeconds: 30 },
    workers: [group("web")],
    ...overrides,
  };
}

const byName = (diff: ReturnType<typeof diffConfig>, name: string) => diff.groups.find((g) => g.name === name);

describe("diffConfig", () => {
  test("the same config changes nothing", () => {
    const diff = diffConfig(config(), config());
    expect(diff).toEqual({ groups: [{ name: "web", change: "unchanged", keys: [] }], needsRestart: [] });
    expect(isEmptyDiff(diff)).toBe(true);
  });

  test("count, env and handler of one group are named; the other group is unchanged", () => {
    const previous = config({
      workers: [group("web"), group("api", { listen: { scheme: "tcp", host: "127.0.0.1", port: 9000, url: "tcp://127.0.0.1:9000" } })],
    });
    const next = config({ workers: [group("web", { count: 3, env: { MODE: "x" }, handler: "/app/web2.ts" }), previous.workers[1]!] });
    const diff = diffConfig(previous, next);
    expect(byName(diff, "web")).toEqual({ name: "web", change: "changed", keys: ["count", "handler", "env"] });
    expect(byName(diff, "api")?.change).toBe("unchanged");
    expect(diff.needsRestart).toEqual([]);
    expect(isEmptyDiff(diff)).toBe(false);
  });

  test("limits, ssl, static, protocol, listen and reloadable each have their key", () => {
    const next = group("web", {
      maxBodySize: 1024,
      ssl: { cert: "/app/c.pem", key: "/app/k.pem" },
      static: "/app/public",
      protocol: "json",
      listen: { scheme: "http", host: "127.0.0.1", port: 8081, url: "http://127.0.0.1:8081" },
      reloadable: false,
    });
    const diff = diffConfig(config(), config({ workers: [next] }));
    expect(byName(diff, "web")?.keys.sort()).toEqual(["limits", "listen", "protocol", "reloadable", "ssl", "static"]);
  });

  test("an env value removed counts as a change; env key order does not", () => {
    const a = config({ workers: [group("web", { env: { A: "1", B: "2" } })] });
    expect(byName(diffConfig(a, config({ workers: [group("web", { env: { B: "2", A: "1" } })] })), "web")?.change).toBe("unchanged");
    expect(byName(diffConfig(a, config({ workers: [group("web", { env: { A: "1" } })] })), "web")?.keys).toEqual(["env"]);
  });

  test("added and removed groups; a renamed group is both", () => {
    const diff = diffConfig(config({ workers: [group("web"), group("old")] }), config({ workers: [group("web"), group("new")] }));
    expect(diff.groups).toEqual([
      { name: "web", change: "unchanged", keys: [] },
      { name: "new", change: "added", keys: [] },
      { name: "old", change: "removed", keys: [] },
    ]);
  });

  test("a port the running master resolved from :0 is not a change while the file still says :0", () => {
    const running = group("web", { listen: { scheme: "tcp", host: "127.0.0.1", port: 41234, url: "tcp://127.0.0.1:0" } });
    const file = group("web", { listen: { scheme: "tcp", host: "127.0.0.1", port: 0, url: "tcp://127.0.0.1:0" } });
    expect(byName(diffConfig(config({ workers: [running] }), config({ workers: [file] })), "web")?.change).toBe("unchanged");
    const moved = group("web", { listen: { scheme: "tcp", host: "127.0.0.1", port: 41235, url: "tcp://127.0.0.1:41235" } });
    expect(byName(diffConfig(config({ workers: [running] }), config({ workers: [moved] })), "web")?.keys).toEqual(["listen"]);
  });

  test("a unix socket's file mode is a listen change", () => {
    const unix = (socketMode: number) =>
      group("svc", { socketMode, listen: { scheme: "unix", host: "", port: 0, path: "/app/svc.sock", url: "unix://./svc.sock" } });
    expect(byName(diffConfig(config({ workers: [unix(0o666)] }), config({ workers: [unix(0o660)] })), "svc")?.keys).toEqual(["listen"]);
  });

  test("master-level keys that cannot change live are named as needing a restart", () => {
    const next = config({
      name: "demo2",
      dataDir: "/var/demo",
      admin: { host: "127.0.0.1", port: 9191, metricsPublic: true, allowRemote: false },
      log: { maxBytes: 1 << 20, keep: 5, format: "text" },
      store: { keepSecondSamples: 60, keepMinuteSamples: 604800, keepEvents: 2592000 },
      cluster: { redis: "redis://127.0.0.1:6379", maxPendingBytes: 8 << 20 },
    });
    expect(diffConfig(config(), next).needsRestart).toEqual([
      "name",
      "dataDir",
      "admin.listen",
      "admin.metricsPublic",
      "log.maxBytes",
      "store.keepSecondSamples",
      "cluster.redis",
      "cluster.maxPendingBytes",
    ]);
  });

  test("stopTimeout and drainWindowMs apply live: not a restart, reported by liveSettingChanges", () => {
    const next = config({ stopTimeout: 5, drainWindowMs: 100 });
    expect(diffConfig(config(), next).needsRestart).toEqual([]);
    expect(liveSettingChanges(config(), next)).toEqual(["stopTimeout", "drainWindowMs"]);
    expect(liveSettingChanges(config(), config())).toEqual([]);
  });
});

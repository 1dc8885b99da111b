import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { configError, handlers, tempApp, web } from "./temp-app.ts";

describe("loadConfig: a valid file", () => {
  test("the full example resolves every path against the config folder", async () => {
    using app = tempApp({
      ...handlers,
      "static/": "",
      "certs/cert.pem": "c",
      "certs/key.pem": "k",
      "proto/line.ts": "export const input = () => 0;",
    });
    const path = app.writeConfig({
      $schema: "./app.schema.json",
      name: "demo",
      dataDir: "var/data",
      stopTimeout: 5,
      drainWindowMs: 150,
      admin: { listen: "[::1]:9191", tokenFile: "secrets/token", metricsPublic: true },
      cluster: { redis: "redis://127.0.0.1:6379" },
      workers: [
        web({ count: 2, static: "static", ssl: { cert: "certs/cert.pem", key: "./certs/key.pem" }, maxBodySize: 1024 }),
        { name: "chat", listen: "ws://127.0.0.1:8081", count: 2, handler: "chat.ts", env: { MODE: "chat" } },
        { name: "echo", listen: "text://127.0.0.1:8082", handler: "./web.ts", reloadable: false },
        { name: "dns", listen: "udp://127.0.0.1:8082", count: 2, handler: "./web.ts" },
        {
          name: "svc",
          listen: "unix://./svc.sock",
          count: 3,
          protocol: "./proto/line.ts",
          handler: "./svc.ts",
          socketMode: "0660",
        },
        { name: "raw", listen: "tcp://[::1]:8083", protocol: "json", handler: "./web.ts", socketMode: 384 },
      ],
    });
    const config = await loadConfig(path);
    const d = app.dir;
    expect([config.name, config.configPath, config.baseDir, config.dataDir]).toEqual(["demo", path, d, join(d, "var/data")]);
    expect([config.stopTimeout, config.drainWindowMs]).toEqual([5, 150]);
    expect(config.admin).toEqual({
      host: "::1",
      port: 9191,
      tokenFile: join(d, "secrets/token"),
      metricsPublic: true,
      allowRemote: false,
      maxConnections: 256,
    });
    expect(config.cluster).toEqual({ redis: "redis://127.0.0.1:6379", maxPendingBytes: 8 << 20 });
    const [w, chat, echo, dns, svc, raw] = config.workers;
    expect(w!.handler).toBe(join(d, "web.ts"));
    expect(w!.static).toBe(join(d, "static"));
    expect(w!.ssl).toEqual({ cert: join(d, "certs/cert.pem"), key: join(d, "certs/key.pem") });
    expect([w!.count, w!.maxBodySize]).toEqual([2, 1024]);
    expect(chat!.listen.scheme).toBe("websocket");
    expect(chat!.handler).toBe(join(d, "chat.ts"));
    expect(chat!.env).toEqual({ MODE: "chat" });
    expect([echo!.protocol, echo!.reloadable]).toEqual(["text", false]);
    expect([dns!.listen.scheme, dns!.listen.port]).toEqual(["udp", 8082]);
    expect(svc!.listen.path).toBe(join(d, "svc.sock"));
    expect([svc!.count, svc!.protocol, svc!.socketMode]).toEqual([3, join(d, "proto/line.ts"), 0o660]);
    expect([raw!.listen.host, raw!.protocol, raw!.socketMode]).toEqual(["::1", "json", 0o600]);
  });

  test("defaults are applied", async () => {
    using app = tempApp(handlers);
    const config = await loadConfig(app.writeConfig({ name: "demo", workers: [web()] }));
    expect(config.dataDir).toBe(join(app.dir, ".workerman"));
    expect([config.stopTimeout, config.drainWindowMs, config.cluster]).toEqual([2, 300, undefined]);
    expect(config.admin).toEqual({
      host: "127.0.0.1",
      port: 9090,
      tokenFile: undefined,
      metricsPublic: false,
      allowRemote: false,
      maxConnections: 256,
    });
    expect(config.workers[0]).toEqual({
      name: "web",
      listen: { scheme: "http", host: "127.0.0.1", port: 8080, url: "http://127.0.0.1:8080" },
      count: 1,
      handler: join(app.dir, "web.ts"),
      protocol: undefined,
      static: undefined,
      staticDotfiles: false,
      staticOutsideSymlinks: false,
      reloadable: true,
      ssl: undefined,
      maxPackageSize: 10 * 1024 * 1024,
      maxSendBufferSize: 1024 * 1024,
      maxMemoryMB: undefined,
      maxBodySize: 10 * 1024 * 1024,
      maxBufferedInput: 64 * 1024 * 1024,
      packageTimeout: 30,
      idleTimeout: 60,
      socketMode: 0o660,
      env: {},
      watchdogSeconds: 10,
    });
  });

  test("idleTimeout defaults by kind: 60 s for http and websocket, 600 s for raw stream sockets; a value given is kept", async () => {
    using app = tempApp(handlers);
    const stream = (name: string, listen: string, extra = {}) => ({ name, listen, handler: "./web.ts", ...extra });
    const path = app.writeConfig({
      name: "demo",
      workers: [
        web(),
        stream("ws", "ws://127.0.0.1:8081"),
        stream("t", "text://127.0.0.1:8082"),
        stream("u", "unix://./u.sock"),
        stream("k", "tcp://127.0.0.1:8083", { idleTimeout: 0 }),
      ],
    });
    const idle = (await loadConfig(path)).workers.map((g) => [g.name, g.idleTimeout]);
    expect(idle).toEqual([
      ["web", 60],
      ["ws", 60],
      ["t", 600],
      ["u", 600],
      ["k", 0],
    ]);
  });

  test("a relative config path is resolved from the current folder", async () => {
    using app = tempApp(handlers);
    app.writeConfig({ name: "demo", workers: [web()] });
    const config = await loadConfig(join(app.dir, "sub", "..", "app.json"));
    expect(config.configPath).toBe(join(app.dir, "app.json"));
  });
});

describe("loadConfig: file problems", () => {
  test("a missing file names the path", async () => {
    using app = tempApp();
    const missing = join(app.dir, "nope.json");
    const err = await configError(() => loadConfig(missing));
    expect(err.code).toBe("E_CONFIG");
    expect(err.message).toBe(`config file not found: ${missing} (create it, or pass another path with --config)`);
  });

  test("invalid JSON gives line and column", async () => {
    using app = tempApp(handlers);
    const path = app.writeConfig('{\n  "name": "demo",\n  "workers": [\n    { "name": "web" "listen": "x" }\n  ]\n}\n');
    const err = await configError(() => loadConfig(path));
    expect(err.code).toBe("E_CONFIG");
    expect(err.message).toStartWith(`invalid JSON in ${path} at line 4, column 21: `);
  });
});

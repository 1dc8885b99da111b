import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { validateConfigObject } from "../../src/config/validate.ts";
import { configError, handlers, tempApp, web } from "./temp-app.ts";

describe("validateConfigObject: checks", () => {
  const check = async (raw: unknown, files: Record<string, string> = handlers) => {
    using app = tempApp(files);
    return configError(() => validateConfigObject(raw, join(app.dir, "app.json")));
  };

  test("unknown scheme, with the field and a suggestion", async () => {
    const err = await check({ name: "demo", workers: [web(), web({ name: "b", listen: "tpc://127.0.0.1:9000" })] });
    expect(err.field).toBe("workers[1].listen");
    expect(err.message).toBe('unknown scheme "tpc" (expected tcp, udp, unix, http, websocket, text, frame): did you mean tcp?');
  });

  test("port out of range", async () => {
    const err = await check({ name: "demo", workers: [web({ listen: "tcp://0.0.0.0:70000" })] });
    expect(err.field).toBe("workers[0].listen");
    expect(err.message).toContain("port 70000 is out of range (0..65535");
  });

  test("missing handler file", async () => {
    const err = await check({ name: "demo", workers: [web({ handler: "./missing.ts" })] });
    expect(err.field).toBe("workers[0].handler");
    expect(err.message).toStartWith("handler module not found: ");
    expect(err.message).toContain("missing.ts");
  });

  test("duplicate group names", async () => {
    const err = await check({ name: "demo", workers: [web(), web({ listen: "http://127.0.0.1:8081" })] });
    expect(err.field).toBe("workers[1].name");
    expect(err.message).toBe('duplicate group name "web" (also workers[0]): names must be unique');
  });

  test("count < 1 and a non-integer count", async () => {
    const zero = await check({ name: "demo", workers: [web({ count: 0 })] });
    expect(zero.field).toBe("workers[0].count");
    expect(zero.message).toBe("must be at least 1 process (got 0)");
    const half = await check({ name: "demo", workers: [web({ count: 1.5 })] });
    expect(half.message).toBe("must be a whole number of processes (got 1.5)");
  });

  test("unknown keys suggest the nearest known key", async () => {
    const err = await check({ name: "demo", workers: [{ name: "web", lisen: "http://127.0.0.1:1", handler: "./web.ts" }] });
    expect(err.toString().split("\n")).toEqual([
      "E_CONFIG: workers[0].listen: required: this key is missing",
      'workers[0].lisen: unknown key (did you mean "listen"?)',
    ]);
    const top = await check({ name: "demo", wrokers: [] });
    expect(top.toString()).toContain('wrokers: unknown key (did you mean "workers"?)');
    const far = await check({ name: "demo", workers: [web({ banana: 1 })] });
    expect(far.message).toStartWith("unknown key (allowed: name, listen, count, handler,");
  });

  test("several problems become one error, one per line", async () => {
    const err = await check({ name: "demo", workers: [web({ count: 0, env: { A: 1 } }), { name: "x" }] });
    expect(err.field).toBe("workers[0].count");
    expect(err.toString().split("\n")).toEqual([
      "E_CONFIG: workers[0].count: must be at least 1 process (got 0)",
      "workers[0].env.A: environment values must be strings (got 1)",
      "workers[1].listen: required: this key is missing",
      "workers[1].handler: required: this key is missing",
    ]);
  });

  test("admin on a non-loopback host needs allowRemote", async () => {
    const err = await check({ name: "demo", admin: { listen: "0.0.0.0:9090" }, workers: [web()] });
    expect(err.field).toBe("admin.listen");
    expect(err.message).toContain('set "admin": { "allowRemote": true }');
    const url = await check({ name: "demo", admin: { listen: "http://127.0.0.1:9090" }, workers: [web()] });
    expect(url.message).toContain("without a scheme");
    const bare = await check({ name: "demo", admin: { listen: "9090" }, workers: [web()] });
    expect(bare.message).toContain('write "127.0.0.1:9090"');
    using app = tempApp(handlers);
    const raw = { name: "demo", admin: { listen: "0.0.0.0:9090", allowRemote: true }, workers: [web()] };
    expect(validateConfigObject(raw, join(app.dir, "app.json")).admin.host).toBe("0.0.0.0");
  });

  test("two groups on one address clash; tcp and udp may share a number; port 0 never clashes", async () => {
    const err = await check({ name: "demo", workers: [web(), web({ name: "b", listen: "tcp://0.0.0.0:8080" })] });
    expect(err.field).toBe("workers[1].listen");
    expect(err.message).toBe('tcp port 8080 on 0.0.0.0 is already used by workers[0] ("web"): give each listener its own address');
    const admin = await check({ name: "demo", workers: [web({ listen: "ws://localhost:9090" })] });
    expect(admin.message).toContain("already used by the admin plane");
    const unix = await check({
      name: "demo",
      workers: [web({ listen: "unix://a.sock" }), web({ name: "b", listen: "unix://./a.sock" })],
    });
    expect(unix.field).toBe("workers[1].listen");
    using app = tempApp(handlers);
    const fine = {
      name: "demo",
      workers: [
        web({ listen: "tcp://127.0.0.1:7000" }),
        web({ name: "u", listen: "udp://127.0.0.1:7000" }),
        web({ name: "z1", listen: "http://127.0.0.1:0" }),
        web({ name: "z2", listen: "http://127.0.0.1:0" }),
        web({ name: "v6", listen: "tcp://[::1]:7000" }),
      ],
    };
    expect(validateConfigObject(fine, join(app.dir, "app.json")).workers).toHaveLength(5);
  });

  test("protocol only on tcp and unix; text:// implies it", async () => {
    const http = await check({ name: "demo", workers: [web({ protocol: "json" })] });
    expect(http.field).toBe("workers[0].protocol");
    expect(http.message).toContain('"protocol" applies only to tcp:// and unix:// listeners');
    const text = await check({ name: "demo", workers: [web({ listen: "text://127.0.0.1:1", protocol: "frame" })] });
    expect(text.message).toContain('text:// already means protocol "text"');
    const bad = await check({ name: "demo", workers: [web({ listen: "tcp://127.0.0.1:1", protocol: "xml" })] });
    expect(bad.message).toStartWith('must be "text", "frame", "json" or a module path');
    const missing = await check({ name: "demo", workers: [web({ listen: "tcp://127.0.0.1:1", protocol: "./p.ts" })] });
    expect(missing.message).toStartWith("protocol module not found: ");
  });

  test("ssl rejected on udp and unix; ssl files must exist; static must be a folder", async () => {
    const files = { ...handlers, "c.pem": "", "k.pem": "" };
    const ssl = { cert: "c.pem", key: "k.pem" };
    const udp = await check({ name: "demo", workers: [web({ listen: "udp://127.0.0.1:1", ssl })] }, files);
    expect(udp.field).toBe("workers[0].ssl");
    expect(udp.message).toBe('"ssl" is not supported on udp:// listeners: remove it, or listen on tcp:// for TLS');
    const unix = await check({ name: "demo", workers: [web({ listen: "unix://s.sock", ssl })] }, files);
    expect(unix.field).toBe("workers[0].ssl");
    const cert = await check({ name: "demo", workers: [web({ ssl: { cert: "nope.pem", key: "k.pem" } })] }, files);
    expect([cert.field, cert.message.split(":")[0]]).toEqual(["workers[0].ssl.cert", "certificate not found"]);
    const folder = await check({ name: "demo", workers: [web({ static: "web.ts" })] });
    expect(folder.message).toEndWith("is not a folder");
  });

  test("shape errors name the field: wrong types, bad names, a bad redis URL, an empty list", async () => {
    expect((await check({ name: "demo", workers: [web({ count: "2" })] })).message).toBe('expected a number, got "2"');
    expect((await check({ name: "demo", workers: [web({ name: "my web" })] })).field).toBe("workers[0].name");
    const redis = await check({ name: "demo", cluster: { redis: "127.0.0.1:6379" }, workers: [web()] });
    expect(redis.field).toBe("cluster.redis");
    expect(redis.message).toBe('must be a Redis URL like "redis://127.0.0.1:6379" (got "127.0.0.1:6379")');
    expect((await check({ name: "demo", workers: [] })).message).toBe("add at least one worker group");
    expect((await check([1])).field).toBeUndefined();
    expect((await check({ name: "demo", workers: [web({ idleTimeout: 300 })] })).message).toContain("at most 255 seconds");
    expect((await check({ name: "demo", workers: [web({ socketMode: 660 })] })).message).toContain('"0660"');
  });
});

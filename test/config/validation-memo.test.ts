// The validation memo: a text this build has validated before skips zod; another text, another build or a broken file validates again.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig } from "../../src/config/resolve-config.ts";
import { checkShape, validateConfigObject } from "../../src/config/validate.ts";
import { buildIdentity, MEMO_FILE, validationMemo } from "../../src/config/validation-memo.ts";
import { AppUnderTest, BINARY } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { handlers, tempApp, web } from "./temp-app.ts";

const BUILD = "test-build 1";

/** A config using every kind of section, so the JSON round trip of the memo is tried on all of them. */
function fullConfig() {
  return {
    name: "demo",
    dataDir: "var/data",
    stopTimeout: 5,
    admin: { listen: "127.0.0.1:9191", tokenFile: "secrets/token", metricsPublic: true },
    cluster: { redis: "redis://127.0.0.1:6379" },
    channel: { history: { size: 10, ttlSeconds: 60, groups: [{ match: "room:*", size: 5, ttlSeconds: 30 }] } },
    workers: [
      web({ count: 2, static: "static", ssl: { cert: "certs/cert.pem", key: "./certs/key.pem" }, maxBodySize: 1024 }),
      { name: "chat", listen: "ws://127.0.0.1:8081", handler: "chat.ts", env: { MODE: "chat" } },
      { name: "svc", listen: "unix://./svc.sock", protocol: "json", handler: "./svc.ts", socketMode: "0660" },
      { name: "dns", listen: "udp://127.0.0.1:8082", handler: "./web.ts" },
    ],
  };
}

describe("validation memo", () => {
  test("running from source there is no build identity, so no memo is read or written", () => {
    expect(buildIdentity()).toBeNull();
    expect(validationMemo({ dataDir: "data" }, "{}", "/tmp")).toBeNull();
  });

  test("a write that fails after its temporary file was made (full disk, a folder in the way) leaves no temporary behind", () => {
    using app = tempApp(handlers);
    const text = JSON.stringify({ name: "demo", dataDir: "data", workers: [web()] });
    const raw = JSON.parse(text);
    mkdirSync(join(app.dir, "data", MEMO_FILE, "blocker"), { recursive: true });
    validationMemo(raw, text, app.dir, BUILD)!.write(checkShape(raw));
    expect(readdirSync(join(app.dir, "data")).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  test("read gives back what write stored, for the same text and build only", () => {
    using app = tempApp(handlers);
    const text = JSON.stringify({ name: "demo", dataDir: "data", workers: [web()] });
    const raw = JSON.parse(text);
    expect(validationMemo(raw, text, app.dir, BUILD)!.read()).toBeNull();
    const data = checkShape(raw);
    validationMemo(raw, text, app.dir, BUILD)!.write(data);
    expect(existsSync(join(app.dir, "data", MEMO_FILE))).toBe(true);
    expect(validationMemo(raw, text, app.dir, BUILD)!.read()).toEqual(data);
    // One more space is another text; a rebuilt executable is another build.
    expect(validationMemo(raw, `${text} `, app.dir, BUILD)!.read()).toBeNull();
    expect(validationMemo(raw, text, app.dir, "test-build 2")!.read()).toBeNull();
  });

  test("without dataDir the memo sits in the default folder; a corrupt memo file reads as nothing", () => {
    using app = tempApp(handlers);
    const text = JSON.stringify({ name: "demo", workers: [web()] });
    const raw = JSON.parse(text);
    validationMemo(raw, text, app.dir, BUILD)!.write(checkShape(raw));
    const path = join(app.dir, ".workerman", MEMO_FILE);
    expect(existsSync(path)).toBe(true);
    writeFileSync(path, readFileSync(path, "utf8").slice(0, 20));
    expect(validationMemo(raw, text, app.dir, BUILD)!.read()).toBeNull();
  });

  test("the remembered data resolves to the same config as a fresh validation", () => {
    using app = tempApp({ ...handlers, "static/": "", "certs/cert.pem": "c", "certs/key.pem": "k" });
    const path = app.writeConfig(fullConfig());
    const text = readFileSync(path, "utf8");
    const raw = JSON.parse(text);
    validationMemo(raw, text, app.dir, BUILD)!.write(checkShape(raw));
    const remembered = validationMemo(raw, text, app.dir, BUILD)!.read()!;
    expect(resolveConfig(remembered, path)).toEqual(validateConfigObject(raw, path));
  });

  test("compiled: a file changed after a start is validated again (E_CONFIG naming the field, exit 2)", async () => {
    await ensureBinary();
    const workers = [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" }];
    await using app = await AppUnderTest.start({ mode: "compiled", workers, files: { "web.ts": "export default { fetch: () => new Response('hi') }" } });
    await app.stop();
    expect(existsSync(join(app.dir, "data", MEMO_FILE))).toBe(true);
    const config = JSON.parse(readFileSync(app.configPath, "utf8"));
    writeFileSync(app.configPath, JSON.stringify({ ...config, workers: [{ ...workers[0], count: 0 }] }));
    const check = Bun.spawnSync([BINARY, "check", "--config", app.configPath]);
    expect(check.stderr.toString()).toContain("workers[0].count");
    expect(check.exitCode).toBe(2);
  }, 30_000);
});

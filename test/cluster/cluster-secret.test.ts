// cluster.secretFile is checked with the rest of app.json: owner-only and long enough, or the config is refused naming the fix.
import { describe, expect, test } from "bun:test";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { configError, tempApp, web } from "../config/temp-app.ts";

const appJson = (secretFile: string) => ({ name: "app", workers: [web()], cluster: { redis: "redis://127.0.0.1:6379", secretFile } });

describe("cluster.secretFile", () => {
  test("a 0600 file of 32+ characters resolves against app.json's folder", async () => {
    using app = tempApp({ "web.ts": "export default {}", "keys/cluster.secret": `${"x".repeat(64)}\n` });
    chmodSync(join(app.dir, "keys/cluster.secret"), 0o600);
    const config = await loadConfig(app.writeConfig(appJson("keys/cluster.secret")));
    expect(config.cluster?.secretFile).toBe(join(app.dir, "keys/cluster.secret"));
  });

  test("readable by the group or others, too short, or missing: E_CONFIG at cluster.secretFile with the fix", async () => {
    using app = tempApp({ "web.ts": "export default {}", "open.secret": "x".repeat(64), "short.secret": "tooshort" });
    chmodSync(join(app.dir, "open.secret"), 0o640);
    chmodSync(join(app.dir, "short.secret"), 0o600);
    const open = await configError(() => loadConfig(app.writeConfig(appJson("open.secret"))));
    expect(open).toMatchObject({ code: "E_CONFIG", field: "cluster.secretFile" });
    expect(open.message).toContain(`has mode 0640: other users could read the cluster secret; run chmod 600 ${join(app.dir, "open.secret")}`);
    const short = await configError(() => loadConfig(app.writeConfig(appJson("short.secret"))));
    expect(short.message).toContain("holds 8 characters, under 32");
    const missing = await configError(() => loadConfig(app.writeConfig(appJson("none.secret"))));
    expect(missing).toMatchObject({ field: "cluster.secretFile" });
    expect(missing.message).toContain("cannot read");
    expect(missing.message).toContain("openssl rand -hex 32");
  });
});

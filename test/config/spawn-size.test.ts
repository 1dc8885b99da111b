// `check` refuses an env the kernel would refuse at spawn (E2BIG), naming the field; what it accepts does start.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SPAWN_ENV_LIMIT } from "../../src/config/spawn-size.ts";
import { validateConfigObject } from "../../src/config/validate.ts";
import { WORKER_LAUNCH_ENV } from "../../src/ipc.ts";
import { configError, handlers, tempApp, web } from "./temp-app.ts";

const KiB = 1024;

describe("spawn size", () => {
  const check = async (env: Record<string, string>) => {
    using app = tempApp(handlers);
    return configError(() => validateConfigObject({ name: "demo", workers: [web({ env })] }, join(app.dir, "app.json")));
  };

  test("one value past the kernel's 128 KiB per variable (a 200 KB env value) is refused naming the variable", async () => {
    const err = await check({ SMALL: "x", BIG: "a".repeat(200_000) });
    expect(err.code).toBe("E_CONFIG");
    expect(err.field).toBe("workers[0].env.BIG");
    expect(err.message).toContain("over the 128.0 KiB the kernel allows one variable");
  });

  test("many values that together (with the launch data holding them again) pass the bound are refused naming env", async () => {
    const env = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`K${i}`, "v".repeat(2 * KiB)]));
    const err = await check(env);
    expect(err.field).toBe("workers[0].env");
    expect(err.message).toMatch(/the group's environment \(80\.\d KiB\) and its launch data \(\d+\.\d KiB\) come to \d+\.\d KiB, over the 128\.0 KiB/);
  });

  test("an env just under the bound passes, and a process does start with it and that launch data", () => {
    using app = tempApp(handlers);
    const env = { BLOB: "b".repeat(55 * KiB) };
    const config = validateConfigObject({ name: "demo", workers: [web({ env })] }, join(app.dir, "app.json"));
    const launch = JSON.stringify({ appName: "demo", group: config.workers[0], index: 0, generation: 1, stopTimeoutMs: 2000, drainWindowMs: 300 });
    expect(launch.length + 55 * KiB).toBeLessThan(SPAWN_ENV_LIMIT);
    const child = Bun.spawnSync(["sh", "-c", 'printf %s "$BLOB" | wc -c'], { env: { ...process.env, ...env, [WORKER_LAUNCH_ENV]: launch } });
    expect(child.stdout.toString().trim()).toBe(String(55 * KiB));
  });
});

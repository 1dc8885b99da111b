// `service` writes a unit systemd reads back as meant, for any folder name: blanks, %, quotes, $, backslashes, unicode.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliCommand } from "../support/app-under-test.ts";

const root = mkdtempSync(join(tmpdir(), "wm-unit-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function appIn(folder: string): string {
  const dir = join(root, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "web.ts"), `export default { fetch: () => new Response("ok") };`);
  const config = join(dir, "app.json");
  writeFileSync(config, JSON.stringify({ name: "demo", workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" }] }));
  return config;
}

function service(config: string) {
  const run = Bun.spawnSync([...cliCommand(), "service", "--config", config], { stdout: "pipe", stderr: "pipe" });
  return { code: run.exitCode, unit: run.stdout.toString(), err: run.stderr.toString() };
}

const AWKWARD = ["with space", "100%h", `say "hi"`, "it's", "cost $HOME", "back\\slash", "ünï cødé ✓"];

for (const folder of AWKWARD) {
  test(`a folder named ${JSON.stringify(folder)} gives a unit that systemd-analyze verify accepts`, () => {
    const { code, unit, err } = service(appIn(folder));
    expect(err).toBe("");
    expect(code).toBe(0);
    const workingDirectory = unit.split("\n").find((line) => line.startsWith("WorkingDirectory="))!;
    expect(workingDirectory).toBe(`WorkingDirectory=${join(root, folder).replaceAll("%", "%%")}`);
    const analyze = Bun.which("systemd-analyze");
    if (!analyze) return console.warn("systemd-analyze is not installed: the unit was not verified");
    const path = join(root, `workerman-app-${AWKWARD.indexOf(folder)}.service`);
    writeFileSync(path, unit);
    const verify = Bun.spawnSync([analyze, "verify", path], { stdout: "pipe", stderr: "pipe" });
    expect(verify.stderr.toString()).toBe("");
    expect(verify.exitCode).toBe(0);
  });
}

test("a folder name with a line break is refused (it would inject directives), and nothing is printed", () => {
  const { code, unit, err } = service(appIn("evil\nExecStartPre=/bin/touch /tmp/owned"));
  expect(code).toBe(2);
  expect(unit).toBe("");
  expect(err).toContain("control character (\\x0a)");
});

// A bad config names the field and the fix and exits 2, for `check` and for `start`; usage errors too.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliCommand, processesMentioning } from "../support/app-under-test.ts";

const dir = mkdtempSync(join(tmpdir(), "wm-badcfg-"));
writeFileSync(join(dir, "ok.ts"), "export default { onMessage() {} };");
writeFileSync(join(dir, "no-default.ts"), "export const onMessage = () => {};");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([...cliCommand(), ...args], { stdout: "pipe", stderr: "pipe", cwd: dir });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: stdout + stderr };
}

function configFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const group = (over: Record<string, unknown>) => ({ name: "g", listen: "text://127.0.0.1:0", handler: "./ok.ts", ...over });
const app = (workers: unknown[]) => ({ name: "bad", admin: { listen: "127.0.0.1:0" }, workers });

const cases: [string, unknown, RegExp][] = [
  ["invalid JSON", '{\n  "name": "x",\n  "workers": [,]\n}', /line 3, column \d+/],
  ["unknown scheme", app([group({ listen: "tpc://127.0.0.1:1" })]), /workers\[0\]\.listen: unknown scheme "tpc".*did you mean tcp/],
  ["port out of range", app([group({ listen: "tcp://127.0.0.1:70000" })]), /workers\[0\]\.listen:.*70000/],
  ["missing handler file", app([group({ handler: "./nope.ts" })]), /workers\[0\]\.handler:.*nope\.ts/],
  ["duplicate group names", app([group({}), group({ listen: "text://127.0.0.1:0" })]), /duplicate|already/i],
  ["count < 1", app([group({ count: 0 })]), /workers\[0\]\.count: must be at least 1/],
  ["unknown key", app([group({ lisen: "x" })]), /workers\[0\]\.lisen: unknown key \(did you mean "listen"\?\)/],
];

describe("bad configs exit 2 with the field and the fix", () => {
  test("a missing config file", async () => {
    for (const command of ["check", "start"]) {
      const { code, out } = await run([command, "--config", join(dir, "absent.json")]);
      expect(code).toBe(2);
      expect(out).toContain("absent.json");
    }
  });

  for (const [name, content, message] of cases) {
    test(name, async () => {
      const path = configFile(`${name.replaceAll(" ", "-")}.json`, content);
      for (const command of ["check", "start"]) {
        const { code, out } = await run([command, "--config", path]);
        expect(out).toMatch(/E_CONFIG/);
        expect(out).toMatch(message);
        expect(code).toBe(2);
      }
    });
  }

  test("a handler without a default export stops start with exit 2 and no process left", async () => {
    const path = configFile("no-default.json", app([group({ handler: "./no-default.ts", count: 2 })]));
    const { code, out } = await run(["start", "--config", path]);
    expect(out).toMatch(/E_CONFIG: .*no-default\.ts has no default export/);
    expect(code).toBe(2);
    expect(processesMentioning(join(dir, "no-default.ts"))).toEqual([]);
  });
});

describe("usage", () => {
  test("--help lists the commands, --version prints the version, an unknown command exits 2", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["start", "stop", "reload", "status", "check", "schema"]) expect(help.out).toContain(`  ${command}`);
    const version = await run(["--version"]);
    expect(version.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const unknown = await run(["strat"]);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('unknown command "strat"');
  });

  test("schema prints a JSON Schema that describes workers", async () => {
    const { code, out } = await run(["schema"]);
    expect(code).toBe(0);
    const schema = JSON.parse(out);
    expect(schema.properties.workers.type).toBe("array");
  });
});

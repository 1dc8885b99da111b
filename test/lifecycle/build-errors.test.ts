// Every error of a broken handler with its position, and never one of the product's own frames as the user's: from source and compiled.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReloadRecord } from "../../src/admin/contract.ts";
import { AppUnderTest, cliCommand, type Mode } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";

const GOOD = `export default { fetch: () => new Response("pid " + process.pid) };\n`;
/** Two bad lines: Bun throws an AggregateError ("2 errors building ...") whose errors carry the positions. */
const TWO_ERRORS = `const x = 1;\nconst x = 2;\nlet y = 1;\nlet y = 3;\nexport default { fetch: () => new Response("x" + y) };\n`;
const FIRST = `web.ts:2:7 "x" has already been declared`;
const SECOND = `web.ts:4:5 "y" has already been declared`;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function cli(mode: Mode, ...args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([...cliCommand(mode), ...args], { stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 30_000);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(killer);
  return { code, out: stdout + stderr };
}

for (const mode of ["source", "compiled"] as Mode[]) {
  describe(`build errors (${mode})`, () => {
    test("a handler with two syntax errors: reload rolls back naming the first with +1 more, and both in the CLI, the record and the events", async () => {
      if (mode === "compiled") await ensureBinary();
      await using app = await AppUnderTest.start({
        mode,
        workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" }],
        files: { "web.ts": GOOD },
      });
      writeFileSync(join(app.dir, "web.ts"), TWO_ERRORS);
      const reload = await cli(mode, "reload", "--config", app.configPath);
      expect(reload.code).toBe(1);
      expect(reload.out).toContain(`web: rolled back: ${FIRST} (+1 more)\n  ${SECOND}\n`);
      expect(reload.out).not.toContain("load-handler");

      const record = (await app.api<{ items: ReloadRecord[] }>("/api/reloads")).items[0]!;
      const reason = record.groups[0]!.reason!;
      expect(reason).toMatchObject({ kind: "load-error", at: "web.ts:2:7", message: '"x" has already been declared', lineText: "const x = 2;" });
      expect(reason.errors).toEqual([
        expect.objectContaining({ at: "web.ts:2:7", message: '"x" has already been declared', line: 2, column: 7, lineText: "const x = 2;" }),
        expect.objectContaining({ at: "web.ts:4:5", message: '"y" has already been declared', line: 4, column: 5, lineText: "let y = 3;" }),
      ]);
      const log = (await app.api<{ items: { type: string; data: { reason?: { errors?: unknown[] } } }[] }>("/api/events/log?limit=50")).items;
      expect(log.find((e) => e.type === "reload-failed")?.data.reason?.errors).toHaveLength(2);
      // The master's own log shows each error with its source line and caret.
      expect(app.output.join("\n")).toContain(`${FIRST} (+1 more)\n    const x = 2;\n          ^\n  ${SECOND}\n    let y = 3;\n        ^`);
    }, 60_000);

    test("start with two syntax errors exits 2 naming both; a TLS key that does not match its certificate names no product frame", async () => {
      if (mode === "compiled") await ensureBinary();
      const dir = mkdtempSync(join(tmpdir(), "wm-build-errors-"));
      dirs.push(dir);
      writeFileSync(join(dir, "web.ts"), TWO_ERRORS);
      const app = (workers: unknown[]) => JSON.stringify({ name: "b", dataDir: "data", admin: { listen: "127.0.0.1:0" }, workers });
      writeFileSync(join(dir, "app.json"), app([{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" }]));
      const start = await cli(mode, "start", "--config", join(dir, "app.json"));
      expect(start.code).toBe(2);
      expect(start.out).toContain(`E_START: group "web" cannot start: ${FIRST} (+1 more)\n    const x = 2;\n          ^\n  ${SECOND}\n`);

      for (const name of ["a", "b"]) {
        const made = Bun.spawnSync(
          ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost"].concat([
            "-keyout",
            join(dir, `key-${name}.pem`),
            "-out",
            join(dir, `cert-${name}.pem`),
          ]),
          { stderr: "pipe" },
        );
        expect(made.exitCode).toBe(0);
      }
      writeFileSync(join(dir, "good.ts"), GOOD);
      const ssl = { cert: "./cert-a.pem", key: "./key-b.pem" };
      writeFileSync(join(dir, "app.json"), app([{ name: "web", listen: "http://127.0.0.1:0", handler: "./good.ts", ssl }]));
      const tls = await cli(mode, "start", "--config", join(dir, "app.json"));
      expect(tls.code).toBe(2);
      const line = tls.out.split("\n").find((l) => l.startsWith("E_START:"));
      expect(line).toContain("KEY_VALUES_MISMATCH");
      expect(line).not.toMatch(/\.ts:\d+:\d+/);
    }, 60_000);
  });
}

// Where a load error points: real imports of broken files (syntax error, missing module, throw at import) through Bun.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clippedLine, errorPosition, firstUserFrame, loadErrors } from "../../src/worker/error-position.ts";

const dir = mkdtempSync(join(tmpdir(), "wm-position-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function importError(name: string, text: string): Promise<unknown> {
  writeFileSync(join(dir, name), text);
  return import(join(dir, name)).then(
    () => null,
    (err) => err,
  );
}

describe("errorPosition", () => {
  test("a syntax error: Bun's BuildMessage position, 1-based, with the source line", async () => {
    const err = await importError("syntax.ts", `export default {\n  fetch() {\n    return new Response("x"};\n  },\n};\n`);
    expect(errorPosition(err)).toEqual({ file: join(dir, "syntax.ts"), line: 3, column: 28, lineText: '    return new Response("x"};' });
  });

  test("a missing module: the importing file, at the line that names it", async () => {
    const err = await importError("missing.ts", `const a = 1;\nimport db from "./no-such-db.ts";\nexport default db;\n`);
    expect(errorPosition(err)).toEqual({ file: join(dir, "missing.ts"), line: 2, column: 16, lineText: 'import db from "./no-such-db.ts";' });
  });

  test("a throw at import: the first stack frame in the user's file", async () => {
    const err = await importError(
      "throws.ts",
      `const url = process.env.NOPE_NOT_SET;\nif (!url) throw new Error("missing NOPE_NOT_SET");\nexport default {};\n`,
    );
    const position = errorPosition(err)!;
    expect(position.file).toBe(join(dir, "throws.ts"));
    expect(position.line).toBe(2);
    expect(position.lineText).toBe('if (!url) throw new Error("missing NOPE_NOT_SET");');
  });

  test("frames of the product, the runtime and node_modules are skipped; nothing usable gives null", () => {
    const stack = [
      "Error: x",
      `    at load (${join(import.meta.dir, "../../src/worker/load-handler.ts")}:10:5)`,
      "    at /$bunfs/root/workerman-app:1:1",
      "    at /srv/app/node_modules/lib/index.js:4:2",
      "    at handler (/srv/app/web.ts:7:3)",
    ].join("\n");
    expect(firstUserFrame(stack)).toMatchObject({ file: "/srv/app/web.ts", line: 7, column: 3 });
    expect(errorPosition("just a string")).toBeNull();
    expect(errorPosition(new Error("no frames here").stack?.split("\n")[0])).toBeNull();
  });

  test("the compiled executable's own frames (relative, from its inline source maps) are never the user's", () => {
    const stack = [
      'AggregateError: 2 errors building "/srv/app/web.ts"',
      "    at loadHandler (src/worker/load-handler.ts:27:17)",
      "    at start (src/worker/listeners/http.ts:49:22)",
      "    at async runWorker (src/worker/main.ts:70:26)",
      "    at /$bunfs/root/workerman-app:12:3",
    ].join("\n");
    expect(firstUserFrame(stack)).toBeNull();
    expect(firstUserFrame(`Error: x\n    at async <anonymous> (/srv/app/web.ts:3:9)`)).toMatchObject({ file: "/srv/app/web.ts", line: 3, column: 9 });
  });
});

describe("loadErrors", () => {
  test("a syntax error Bun reports as several (an AggregateError): each with its message and position, in order", async () => {
    const err = await importError("twice.ts", `const x = 1;\nconst x = 2;\nlet y = 1;\nlet y = 3;\nexport default {};\n`);
    expect(err).toBeInstanceOf(AggregateError);
    expect(loadErrors(err)).toEqual([
      { message: '"x" has already been declared', position: { file: join(dir, "twice.ts"), line: 2, column: 7, lineText: "const x = 2;" } },
      { message: '"y" has already been declared', position: { file: join(dir, "twice.ts"), line: 4, column: 5, lineText: "let y = 3;" } },
    ]);
  });

  test("one error is a list of one; at most 10 are kept", async () => {
    const err = await importError("once.ts", `export default {\n  fetch() {\n    return new Response("x"};\n  },\n};\n`);
    expect(loadErrors(err)).toEqual([{ message: 'Expected ")" but found "}"', position: expect.objectContaining({ line: 3, column: 28 }) }]);
    const many = new AggregateError(
      Array.from({ length: 25 }, (_, i) => new Error(`e${i}`)),
      "25 errors",
    );
    expect(loadErrors(many).map((one) => one.message)).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
    expect(loadErrors("a string")).toEqual([{ message: "a string", position: null }]);
  });

  test("a minified file's long line is cut to a window around the column, the caret still under it", async () => {
    const line = `export default {};${" ".repeat(5000)}const broken = (1 + ;${"x".repeat(5000)}`;
    const [one] = loadErrors(await importError("minified.ts", line));
    const at = one!.position!;
    expect(at.line).toBe(1);
    expect(at.lineText.length).toBeLessThanOrEqual(206);
    expect(at.lineText.slice(at.column - 1)).toStartWith(";");
    expect(at.lineText.slice(at.column - 21, at.column - 1)).toBe("const broken = (1 + ");
    const short = { file: "/a.ts", line: 1, column: 3, lineText: "ab;" };
    expect(clippedLine(short)).toBe(short);
  });
});

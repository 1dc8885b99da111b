// DESIGN.md's house rules, checked: file and function sizes, where process.exit may be called, no `any`, file names.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import ts from "typescript";

const REPO = join(import.meta.dir, "..");
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;
/** The CLI is the one place that ends the process; a worker also ends itself when its master is gone. */
const EXIT_ALLOWED = new Set(["src/cli.ts", "src/worker/main.ts"]);
const BANNED_NAMES = /^(utils?|helpers?|misc|common|stuff)\.tsx?$|\d\.tsx?$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO, dir), { recursive: true, encoding: "utf8" })
    .filter((name) => /\.tsx?$/.test(name) && !name.endsWith(".d.ts"))
    .map((name) => join(dir, name));
}

const files = [...sourceFiles("src"), ...sourceFiles("admin-ui")].sort();

function parse(file: string): ts.SourceFile {
  const text = readFileSync(join(REPO, file), "utf8");
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

function lineOf(source: ts.SourceFile, pos: number): number {
  return source.getLineAndCharacterOfPosition(pos).line + 1;
}

/** Every function-like node with a body, as "file:line name (N lines)". */
function longFunctions(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const lines = lineOf(source, node.body.getEnd()) - lineOf(source, node.body.getStart(source)) + 1;
      if (lines > MAX_FUNCTION_LINES) {
        const name = node.name && ts.isIdentifier(node.name) ? node.name.text : "(anonymous)";
        found.push(`${source.fileName}:${lineOf(source, node.getStart(source))} ${name} (${lines} lines)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function matches(source: ts.SourceFile, predicate: (node: ts.Node) => boolean): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (predicate(node)) found.push(`${source.fileName}:${lineOf(source, node.getStart(source))}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const isProcessExit = (node: ts.Node) =>
  ts.isCallExpression(node) &&
  ts.isPropertyAccessExpression(node.expression) &&
  node.expression.name.text === "exit" &&
  ts.isIdentifier(node.expression.expression) &&
  node.expression.expression.text === "process";

describe("house rules", () => {
  const sources = files.map(parse);

  test("the checker sees the tree (a rule over no file passes vacuously)", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain("src/cli.ts");
    expect(longFunctions(ts.createSourceFile("probe.ts", `function f() {\n${"  x();\n".repeat(70)}}`, ts.ScriptTarget.Latest, true))).toHaveLength(1);
  });

  test(`files are under ${MAX_FILE_LINES} lines`, () => {
    const long = sources.filter((s) => s.getLineAndCharacterOfPosition(s.getEnd()).line + 1 > MAX_FILE_LINES).map((s) => s.fileName);
    expect(long).toEqual([]);
  });

  test(`functions are under ${MAX_FUNCTION_LINES} lines`, () => {
    expect(sources.flatMap(longFunctions)).toEqual([]);
  });

  test("process.exit is called only by the CLI and the worker's own entry", () => {
    const calls = sources.filter((s) => !EXIT_ALLOWED.has(s.fileName)).flatMap((s) => matches(s, isProcessExit));
    expect(calls).toEqual([]);
  });

  test("no `any`, except where the line before says why (`// allow-any: ...`)", () => {
    const unexplained = (source: ts.SourceFile) => (node: ts.Node) => {
      if (node.kind !== ts.SyntaxKind.AnyKeyword) return false;
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      return !/\/\/ allow-any: \S/.test(source.text.split("\n")[line - 1] ?? "");
    };
    expect(sources.flatMap((s) => matches(s, unexplained(s)))).toEqual([]);
    const probe = ts.createSourceFile("probe.ts", "let a: any;\n// allow-any: a reason\nlet b: any;\n", ts.ScriptTarget.Latest, true);
    expect(matches(probe, unexplained(probe))).toEqual(["probe.ts:1"]);
  });

  test("file names are kebab-case and say what a thing is", () => {
    const bad = files.filter((f) => !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z]+)+$/.test(basename(f)) || BANNED_NAMES.test(basename(f)));
    expect(bad.map((f) => relative(REPO, join(REPO, f)))).toEqual([]);
  });

  test("every file starts with a one-line header comment saying its job", () => {
    const bare = files.filter((f) => {
      const first =
        readFileSync(join(REPO, f), "utf8")
          .split("\n")
          .find((line) => line.trim() !== "") ?? "";
      return !/^\s*(\/\/|\/\*)/.test(first);
    });
    expect(bare).toEqual([]);
  });
});

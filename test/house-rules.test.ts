// The house rules of docs/design.md, checked: file and function sizes at the formatter's width, where process.exit may be called, no `any`, file names, headers, a formatted tree.
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import ts from "typescript";
import { LINE_WIDTH, lineOf, measuredLines, parse, REPO, treeFiles } from "./support/source-tree.ts";

const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;
/** The CLI is the one place that ends the process; a worker also ends itself when its master is gone. bench/ scripts are entry points of their own. */
const EXIT_ALLOWED = new Set(["src/cli.ts", "src/worker/main.ts"]);
const BANNED_NAMES = /^(utils?|helpers?|misc|common|stuff)\.[a-z]+$|\d\.[a-z]+$/;

const code = [...treeFiles("src", /\.tsx?$/), ...treeFiles("admin-ui", /\.tsx?$/), ...treeFiles("bench", /\.tsx?$/)];
const styles = treeFiles("admin-ui", /\.css$/);
const files = [...code, ...styles];

/** Every function-like node with a body longer than the rule, as "file:line name (N lines)", measured at the formatter's width. */
function longFunctions(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = node.body.getStart(source);
      const lines = measuredLines(source.text.slice(start - source.getLineAndCharacterOfPosition(start).character, node.body.getEnd()));
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

/** `biome format` over `dir` (the formatter check of `npm test`): its exit code and output. */
function formatCheck(dir: string): { exitCode: number; output: string } {
  const run = Bun.spawnSync([join(REPO, "node_modules/.bin/biome"), "format", "."], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  return { exitCode: run.exitCode, output: run.stdout.toString() + run.stderr.toString() };
}

describe("house rules", () => {
  const sources = code.map((file) => parse(file));

  test("the checker sees the tree (a rule over no file passes vacuously)", () => {
    expect(code.filter((f) => f.startsWith("src/")).length).toBeGreaterThan(100);
    expect(code.filter((f) => f.startsWith("bench/")).length).toBeGreaterThan(20);
    expect(code).toContain("src/cli.ts");
    expect(styles).toContain("admin-ui/styles.css");
    expect(LINE_WIDTH).toBeGreaterThanOrEqual(80);
    expect(longFunctions(parse("probe.ts", `function f() {\n${"  x();\n".repeat(70)}}`))).toHaveLength(1);
    const wide = `  x(${"a".repeat(LINE_WIDTH)});\n`;
    expect(longFunctions(parse("probe.ts", `function f() {\n${wide.repeat(30)}}`))).toEqual(["probe.ts:1 f (62 lines)"]);
  });

  test(`files are under ${MAX_FILE_LINES} lines at the formatter's width (a line past it counts once per width it fills), CSS and bench/ included`, () => {
    const long = files.map((f) => ({ f, lines: measuredLines(readFileSync(join(REPO, f), "utf8")) })).filter(({ lines }) => lines > MAX_FILE_LINES);
    expect(long.map(({ f, lines }) => `${f} (${lines} lines)`)).toEqual([]);
    expect(measuredLines("a\nb\n")).toBe(2);
    expect(measuredLines(`${"x".repeat(LINE_WIDTH)}\n${"x".repeat(LINE_WIDTH + 1)}\n`)).toBe(3);
  });

  test(`functions are under ${MAX_FUNCTION_LINES} lines at the formatter's width`, () => {
    expect(sources.flatMap(longFunctions)).toEqual([]);
  });

  test("process.exit is called only by the CLI and the worker's own entry", () => {
    const calls = sources.filter((s) => !s.fileName.startsWith("bench/") && !EXIT_ALLOWED.has(s.fileName)).flatMap((s) => matches(s, isProcessExit));
    expect(calls).toEqual([]);
  });

  test("no `any`, except where the line before says why (`// allow-any: ...`)", () => {
    const unexplained = (source: ts.SourceFile) => (node: ts.Node) => {
      if (node.kind !== ts.SyntaxKind.AnyKeyword) return false;
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      return !/\/\/ allow-any: \S/.test(source.text.split("\n")[line - 1] ?? "");
    };
    expect(sources.flatMap((s) => matches(s, unexplained(s)))).toEqual([]);
    const probe = parse("probe.ts", "let a: any;\n// allow-any: a reason\nlet b: any;\n");
    expect(matches(probe, unexplained(probe))).toEqual(["probe.ts:1"]);
  });

  test("file names are kebab-case and say what a thing is", () => {
    const bad = files.filter((f) => !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z]+)+$/.test(basename(f)) || BANNED_NAMES.test(basename(f)));
    expect(bad).toEqual([]);
    expect(
      ["utils.ts", "manager2.ts", "misc.css", "camelCase.ts"].filter((f) => !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z]+)+$/.test(f) || BANNED_NAMES.test(f)),
    ).toHaveLength(4);
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

  test("the tree is formatted: npm test runs the formatter check, and so does this test for `bun test` alone", () => {
    expect(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).scripts.test).toContain("biome format .");
    const tree = formatCheck(REPO);
    expect(tree.output).toMatch(/Checked [1-9]\d{2,} files/);
    expect({ exitCode: tree.exitCode, output: tree.exitCode === 0 ? "" : tree.output }).toEqual({ exitCode: 0, output: "" });
    const probe = mkdtempSync(join(tmpdir(), "format-probe-"));
    try {
      writeFileSync(join(probe, "biome.json"), readFileSync(join(REPO, "biome.json"), "utf8").replace(/"\$schema": "[^"]*",/, ""));
      mkdirSync(join(probe, "src"));
      writeFileSync(join(probe, "src/probe.ts"), "// probe\nconst  a =1\n");
      expect(formatCheck(probe).exitCode).not.toBe(0);
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  }, 60_000);
});

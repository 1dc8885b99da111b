// The house rules (README, Layout), checked: file and function sizes, where process.exit may be called, no `any`, file names.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
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

interface ImportEdge {
  to: string;
  /** `import type`, or every named specifier marked `type`: erased at build time (verbatimModuleSyntax), never loaded. */
  typeOnly: boolean;
}

/** The relative imports and re-exports of each file, by the path they resolve to. Dynamic import() loads later, so it is left out. */
function importGraph(sources: ts.SourceFile[]): Map<string, ImportEdge[]> {
  const graph = new Map<string, ImportEdge[]>();
  for (const source of sources) {
    const edges: ImportEdge[] = [];
    for (const statement of source.statements) {
      const edge = importEdge(source.fileName, statement);
      if (edge) edges.push(edge);
    }
    graph.set(source.fileName, edges);
  }
  return graph;
}

function importEdge(file: string, statement: ts.Statement): ImportEdge | null {
  let specifier: ts.Expression | undefined;
  let typeOnly = false;
  if (ts.isImportDeclaration(statement)) {
    specifier = statement.moduleSpecifier;
    const clause = statement.importClause;
    const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
    typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
  } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
    specifier = statement.moduleSpecifier;
    const named = statement.exportClause && ts.isNamedExports(statement.exportClause) ? statement.exportClause.elements : undefined;
    typeOnly = statement.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly));
  }
  if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith(".")) return null;
  return { to: join(dirname(file), specifier.text), typeOnly };
}

/** The import circles (strongly connected groups of two or more files, or a file importing itself), each sorted. */
function importCircles(graph: Map<string, ImportEdge[]>, follow: (edge: ImportEdge) => boolean): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const circles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    const next = (graph.get(file) ?? []).filter((e) => follow(e) && graph.has(e.to)).map((e) => e.to);
    for (const to of next) {
      if (!index.has(to)) visit(to);
      if (stack.includes(to)) low.set(file, Math.min(low.get(file)!, low.get(to)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const circle = stack.splice(stack.indexOf(file));
    if (circle.length > 1 || next.includes(file)) circles.push(circle.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return circles;
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

  test("no circle of value imports among src/ files (type-only edges are erased, so they cannot form one at load time)", () => {
    const graph = importGraph(sources.filter((s) => s.fileName.startsWith("src/")));
    expect(graph.get("src/worker/runtime.ts")?.length).toBeGreaterThan(3);
    expect(importCircles(graph, (edge) => !edge.typeOnly)).toEqual([]);
  });

  // Type-only circles left in src/ (each closed by `import type` only, so nothing loads in a circle):
  //   src/channel/types.ts <-> src/worker/types.ts: the public API's Connection has `channel`, the Channel takes connections;
  //   src/admin/context.ts <-> audit.ts (-> client-address.ts): the context holds the Audit, which reads AdminContext and AdminEnv.
  // The worker runtime itself has none: connections see it as ConnectionHost, the channel as ChannelHost.
  test("no import circle among the worker's and the channel's files, type-only ones included, but the public API types", () => {
    const graph = importGraph(sources.filter((s) => s.fileName.startsWith("src/worker/") || s.fileName.startsWith("src/channel/")));
    expect(importCircles(graph, () => true)).toEqual([["src/channel/types.ts", "src/worker/types.ts"]]);
  });

  test("src/master/, src/store/ and src/channel/ never import src/admin/, but the one composition root that starts the admin plane", () => {
    const graph = importGraph(sources.filter((s) => /^src\/(master|store|channel)\//.test(s.fileName)));
    expect(graph.get("src/master/planes.ts")?.some((e) => e.to.startsWith("src/admin/"))).toBe(true);
    const found = [...graph]
      .filter(([file]) => file !== "src/master/planes.ts")
      .flatMap(([file, edges]) => edges.filter((e) => e.to.startsWith("src/admin/")).map((e) => `${file} -> ${e.to}`));
    expect(found).toEqual([]);
  });

  test("src/channel/ reaches its worker through ChannelHost, never by importing the runtime (not even its type)", () => {
    const graph = importGraph(sources.filter((s) => s.fileName.startsWith("src/channel/")));
    const found = [...graph].flatMap(([file, edges]) => edges.filter((e) => e.to === "src/worker/runtime.ts").map(() => file));
    expect(found).toEqual([]);
  });

  test("the circle check sees a value circle, and not one closed by a type-only edge", () => {
    const probe = (b: string) => [
      ts.createSourceFile("a.ts", 'import { b } from "./b.ts";\nimport "./c.ts";', ts.ScriptTarget.Latest, true),
      ts.createSourceFile("b.ts", b, ts.ScriptTarget.Latest, true),
      ts.createSourceFile("c.ts", "", ts.ScriptTarget.Latest, true),
    ];
    const valueCircles = (b: string) => importCircles(importGraph(probe(b)), (edge) => !edge.typeOnly);
    expect(valueCircles('import { a } from "./a.ts";')).toEqual([["a.ts", "b.ts"]]);
    expect(valueCircles('export { a } from "./a.ts";')).toEqual([["a.ts", "b.ts"]]);
    expect(valueCircles('import type { A } from "./a.ts";')).toEqual([]);
    expect(valueCircles('import { type A, type B } from "./a.ts";')).toEqual([]);
    expect(valueCircles('export type { A } from "./a.ts";')).toEqual([]);
    expect(importCircles(importGraph(probe('import type { A } from "./a.ts";')), () => true)).toEqual([["a.ts", "b.ts"]]);
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

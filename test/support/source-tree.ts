// The repository's source files as the house-rules tests read them: parsed, measured at the formatter's width, and as an import graph.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";

export const REPO = join(import.meta.dir, "..", "..");

/** The formatter's line width (biome.json): a line past it counts as as many lines as it would fill at that width. */
export const LINE_WIDTH: number = JSON.parse(readFileSync(join(REPO, "biome.json"), "utf8")).formatter.lineWidth;

/** The files under `dir` whose names match `pattern`, as repository-relative paths. */
export function treeFiles(dir: string, pattern: RegExp): string[] {
  return readdirSync(join(REPO, dir), { recursive: true, encoding: "utf8" })
    .filter((name) => pattern.test(name) && !name.endsWith(".d.ts"))
    .map((name) => join(dir, name))
    .sort();
}

export function parse(file: string, text = readFileSync(join(REPO, file), "utf8")): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

export function lineOf(source: ts.SourceFile, pos: number): number {
  return source.getLineAndCharacterOfPosition(pos).line + 1;
}

/**
 * A text's length in lines at the formatter's width: the formatter wraps code at LINE_WIDTH, but not comments or
 * long strings, so such a line counts once per LINE_WIDTH columns it fills (a tab as 2, the formatter's indent).
 */
export function measuredLines(text: string, width = LINE_WIDTH): number {
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  return lines.reduce((sum, line) => sum + Math.max(1, Math.ceil([...line.replaceAll("\t", "  ")].length / width)), 0);
}

export interface ImportEdge {
  to: string;
  /** `import type`, or every named specifier marked `type`: erased at build time (verbatimModuleSyntax), never loaded. */
  typeOnly: boolean;
}

/** The relative imports and re-exports of each file, by the path they resolve to. Dynamic import() loads later, so it is left out. */
export function importGraph(sources: ts.SourceFile[]): Map<string, ImportEdge[]> {
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
export function importCircles(graph: Map<string, ImportEdge[]>, follow: (edge: ImportEdge) => boolean = () => true): string[][] {
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

/** Every edge of the graph as "from -> to", for the files `from` matches, to the files `to` matches. */
export function edgesBetween(graph: Map<string, ImportEdge[]>, from: (file: string) => boolean, to: (file: string) => boolean): string[] {
  return [...graph].filter(([file]) => from(file)).flatMap(([file, edges]) => edges.filter((e) => to(e.to)).map((e) => `${file} -> ${e.to}`));
}

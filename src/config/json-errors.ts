// Parses JSON text and turns a syntax error into an E_CONFIG error that names line and column.
import { AppError } from "../errors.ts";

interface SyntaxProblem {
  offset: number;
  reason: string;
}

/** Parse `text`; `source` (the file path) is named in the error. */
export function parseJson(text: string, source: string): unknown {
  // Editors on some systems save a byte-order mark that JSON.parse rejects; it is not an error a user can see.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (err) {
    // Bun's message has no position ("JSON Parse error: Unexpected token '}'"), so find it ourselves.
    const problem = findSyntaxProblem(body) ?? { offset: 0, reason: String((err as Error).message) };
    const { line, column } = lineAndColumn(body, problem.offset);
    throw new AppError("E_CONFIG", `invalid JSON in ${source} at line ${line}, column ${column}: ${problem.reason}`, {
      cause: err,
    });
  }
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** A strict RFC 8259 scan that reports the first offending character, or undefined if the text is valid. */
export function findSyntaxProblem(text: string): SyntaxProblem | undefined {
  let pos = 0;
  const fail = (reason: string, at = pos): never => {
    throw { offset: at, reason } satisfies SyntaxProblem;
  };
  const describe = (): string => {
    if (pos >= text.length) return "unexpected end of file";
    const ch = text[pos]!;
    const prev = text.slice(0, pos).trimEnd().at(-1);
    if ((ch === "}" || ch === "]") && prev === ",") return `unexpected "${ch}" (JSON allows no trailing comma)`;
    if (ch === "/") return 'unexpected "/" (JSON allows no comments)';
    if (ch === "'") return "unexpected \"'\" (JSON strings use double quotes)";
    return `unexpected ${JSON.stringify(ch)}`;
  };
  const skipSpace = () => {
    while (pos < text.length && " \t\n\r".includes(text[pos]!)) pos++;
  };
  const expect = (ch: string, what: string) => {
    skipSpace();
    if (text[pos] !== ch) fail(`${describe()}, expected ${what}`);
    pos++;
  };
  const string = () => {
    pos++; // opening quote
    while (pos < text.length) {
      const ch = text[pos]!;
      if (ch === '"') return void pos++;
      if (ch === "\n") fail("unterminated string (a line break inside quotes)");
      if (ch.charCodeAt(0) < 0x20) fail("control character inside a string (escape it)");
      if (ch === "\\") {
        const esc = text[pos + 1];
        if (esc === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) fail("bad \\u escape (needs 4 hex digits)");
          pos += 6;
          continue;
        }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc)) fail(`bad escape "\\${esc ?? ""}" in a string`);
        pos += 2;
        continue;
      }
      pos++;
    }
    fail("unterminated string");
  };
  const value = (): void => {
    skipSpace();
    const ch = text[pos];
    if (ch === "{") return members("}", true);
    if (ch === "[") return members("]", false);
    if (ch === '"') return string();
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos));
    if (number) return void (pos += number[0].length);
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, pos)) return void (pos += word.length);
    }
    fail(`${describe()}, expected a value`);
  };
  const members = (close: string, isObject: boolean) => {
    pos++;
    skipSpace();
    if (text[pos] === close) return void pos++;
    for (;;) {
      if (isObject) {
        skipSpace();
        if (text[pos] !== '"') fail(`${describe()}, expected a "quoted" key`);
        string();
        expect(":", '":"');
      }
      value();
      skipSpace();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === close) return void pos++;
      fail(`${describe()}, expected "," or "${close}"`);
    }
  };
  try {
    skipSpace();
    if (pos >= text.length) fail("the file is empty");
    value();
    skipSpace();
    if (pos < text.length) fail(`${describe()} after the end of the JSON value`);
    return undefined;
  } catch (problem) {
    if (typeof problem === "object" && problem !== null && "offset" in problem) return problem as SyntaxProblem;
    throw problem;
  }
}

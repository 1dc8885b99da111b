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
  try {
    new JsonScanner(text).document();
    return undefined;
  } catch (problem) {
    if (problem instanceof ScanFailure) return { offset: problem.offset, reason: problem.reason };
    throw problem;
  }
}

class ScanFailure {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

/** A recursive-descent reader that throws a ScanFailure at the first character JSON does not allow there. */
class JsonScanner {
  #pos = 0;
  constructor(private readonly text: string) {}

  document(): void {
    this.#skipSpace();
    if (this.#pos >= this.text.length) this.#fail("the file is empty");
    this.#value();
    this.#skipSpace();
    if (this.#pos < this.text.length) this.#fail(`${this.#describe()} after the end of the JSON value`);
  }

  #fail(reason: string): never {
    throw new ScanFailure(this.#pos, reason);
  }

  #describe(): string {
    const { text } = this;
    if (this.#pos >= text.length) return "unexpected end of file";
    const ch = text[this.#pos]!;
    const prev = text.slice(0, this.#pos).trimEnd().at(-1);
    if ((ch === "}" || ch === "]") && prev === ",") return `unexpected "${ch}" (JSON allows no trailing comma)`;
    if (ch === "/") return 'unexpected "/" (JSON allows no comments)';
    if (ch === "'") return 'unexpected "\'" (JSON strings use double quotes)';
    return `unexpected ${JSON.stringify(ch)}`;
  }

  #skipSpace(): void {
    while (this.#pos < this.text.length && " \t\n\r".includes(this.text[this.#pos]!)) this.#pos++;
  }

  #expect(ch: string, what: string): void {
    this.#skipSpace();
    if (this.text[this.#pos] !== ch) this.#fail(`${this.#describe()}, expected ${what}`);
    this.#pos++;
  }

  #string(): void {
    const { text } = this;
    this.#pos++; // opening quote
    while (this.#pos < text.length) {
      const ch = text[this.#pos]!;
      if (ch === '"') return void this.#pos++;
      if (ch === "\n") this.#fail("unterminated string (a line break inside quotes)");
      if (ch.charCodeAt(0) < 0x20) this.#fail("control character inside a string (escape it)");
      this.#pos += ch === "\\" ? this.#escapeLength() : 1;
    }
    this.#fail("unterminated string");
  }

  /** The length of the escape sequence at the cursor (a backslash). */
  #escapeLength(): number {
    const esc = this.text[this.#pos + 1];
    if (esc === "u") {
      if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.#pos + 2, this.#pos + 6))) this.#fail("bad \\u escape (needs 4 hex digits)");
      return 6;
    }
    if (esc === undefined || !'"\\/bfnrt'.includes(esc)) this.#fail(`bad escape "\\${esc ?? ""}" in a string`);
    return 2;
  }

  #value(): void {
    this.#skipSpace();
    const { text } = this;
    const ch = text[this.#pos];
    if (ch === "{") return this.#members("}", true);
    if (ch === "[") return this.#members("]", false);
    if (ch === '"') return this.#string();
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(this.#pos));
    if (number) return void (this.#pos += number[0].length);
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, this.#pos)) return void (this.#pos += word.length);
    }
    this.#fail(`${this.#describe()}, expected a value`);
  }

  #members(close: string, isObject: boolean): void {
    this.#pos++;
    this.#skipSpace();
    if (this.text[this.#pos] === close) return void this.#pos++;
    for (;;) {
      if (isObject) {
        this.#skipSpace();
        if (this.text[this.#pos] !== '"') this.#fail(`${this.#describe()}, expected a "quoted" key`);
        this.#string();
        this.#expect(":", '":"');
      }
      this.#value();
      this.#skipSpace();
      if (this.text[this.#pos] === ",") {
        this.#pos++;
        continue;
      }
      if (this.text[this.#pos] === close) return void this.#pos++;
      this.#fail(`${this.#describe()}, expected "," or "${close}"`);
    }
  }
}

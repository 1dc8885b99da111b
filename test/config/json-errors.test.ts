import { describe, expect, test } from "bun:test";
import { findSyntaxProblem, lineAndColumn, parseJson } from "../../src/config/json-errors.ts";
import { configError } from "./temp-app.ts";

describe("parseJson", () => {
  test("valid JSON parses, with or without a byte-order mark", () => {
    expect(parseJson('{"a": [1, 2.5e3, true, null, "x\\n\\u00e9"]}', "app.json")).toEqual({
      a: [1, 2500, true, null, "x\né"],
    });
    expect(parseJson('\uFEFF{"a": 1}', "app.json")).toEqual({ a: 1 });
  });

  test("a trailing comma is reported at its line and column, naming the file", async () => {
    const text = '{\n  "name": "demo",\n  "workers": [],\n}';
    const err = await configError(() => parseJson(text, "/x/app.json"));
    expect(err.code).toBe("E_CONFIG");
    expect(err.message).toStartWith("invalid JSON in /x/app.json at line 4, column 1: ");
    expect(err.message).toContain("no trailing comma");
  });

  const cases: [string, string, number, number, string][] = [
    ["missing value", '{\n  "a": 1,\n  "b": }', 3, 8, 'unexpected "}", expected a value'],
    ["missing colon", '{\n  "a" 1\n}', 2, 7, 'expected ":"'],
    ["unterminated object", '{"a": 1', 1, 8, "unexpected end of file"],
    ["misspelled literal", '{\n\t"a": tru\n}', 2, 7, "expected a value"],
    ["comment", '{\n  // note\n  "a": 1\n}', 2, 3, "no comments"],
    ["single quotes", "{'a': 1}", 1, 2, "double quotes"],
    ["missing comma", '{"a": 1\n "b": 2}', 2, 2, 'expected "," or "}"'],
    ["text after the value", '{"a": 1} x', 1, 10, "after the end of the JSON value"],
    ["empty file", "  \n", 2, 1, "the file is empty"],
    ["unterminated string", '{"a": "abc\n}', 1, 11, "unterminated string"],
    ["bad escape", '["\\x"]', 1, 3, 'bad escape "\\x"'],
    ["leading zero", "[01]", 1, 3, 'expected "," or "]"'],
  ];
  for (const [name, text, line, column, reason] of cases) {
    test(`${name}: line ${line}, column ${column}`, async () => {
      const err = await configError(() => parseJson(text, "app.json"));
      expect(err.message).toStartWith(`invalid JSON in app.json at line ${line}, column ${column}: `);
      expect(err.message).toContain(reason);
    });
  }
});

test("lineAndColumn is 1-based", () => {
  expect(lineAndColumn("ab\ncd", 0)).toEqual({ line: 1, column: 1 });
  expect(lineAndColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
});

test("the scanner agrees with JSON.parse on randomly damaged JSON", () => {
  const original = JSON.stringify({ name: "demo", n: -1.5e-3, ok: [true, false, null], s: 'q"\\\t\u0001é', workers: [{ a: {} }, []] }, null, 2);
  const alphabet = " {}[]:,\"\\-+.0123456789eEtruefalsn/'\nx";
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let invalid = 0;
  for (let i = 0; i < 3000; i++) {
    let text = original;
    for (let edits = 1 + random(3); edits > 0; edits--) {
      const at = random(text.length + 1);
      const op = random(3);
      const ch = alphabet[random(alphabet.length)]!;
      const keep = op === 1 ? at : at + 1; // 0 deletes, 1 inserts, 2 replaces
      text = text.slice(0, at) + (op === 0 ? "" : ch) + text.slice(keep);
    }
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
      invalid++;
    }
    const problem = findSyntaxProblem(text);
    if ((problem === undefined) !== parses) throw new Error(`disagreement on ${JSON.stringify(text)}: ${problem?.reason}`);
  }
  expect(invalid).toBeGreaterThan(1000);
  // Valid input still passes.
  expect(findSyntaxProblem(original)).toBeUndefined();
});

// The Configs view's line diff: the fewest added and removed lines between two configs, in order.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { lineDiff, MAX_DIFF_LINES, withContext } from "../../admin-ui/line-diff.ts";

const text = (lines: ReturnType<typeof lineDiff>) => (lines === null ? null : lines.map((l) => `${l.op}${l.text}`));

describe("line diff", () => {
  test("a changed line is one removal and one addition, in place; the rest is kept", () => {
    expect(text(lineDiff(["{", '  "count": 2,', '  "name": "web"', "}"], ["{", '  "count": 4,', '  "name": "web"', "}"]))).toEqual([
      " {",
      '-  "count": 2,',
      '+  "count": 4,',
      '   "name": "web"',
      " }",
    ]);
  });

  test("added and removed blocks at either end; empty sides", () => {
    expect(text(lineDiff(["a", "b"], ["a", "b", "c"]))).toEqual([" a", " b", "+c"]);
    expect(text(lineDiff(["x", "a"], ["a"]))).toEqual(["-x", " a"]);
    expect(text(lineDiff([], ["a"]))).toEqual(["+a"]);
    expect(text(lineDiff(["a"], []))).toEqual(["-a"]);
    expect(text(lineDiff([], []))).toEqual([]);
  });

  test("shown with context: changed lines keep up to 3 unchanged neighbours; longer unchanged stretches are counted, not shown", () => {
    const a = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const b = a.map((line, i) => (i === 10 ? "line ten" : line));
    const shown = withContext(lineDiff(a, b)!, 3).map((l) => (l.op === "skip" ? `… ${l.count}` : `${l.op}${l.text}`));
    expect(shown).toEqual(["… 7", " line 7", " line 8", " line 9", "-line 10", "+line ten", " line 11", " line 12", " line 13", "… 6"]);
    // No change: everything is one skipped stretch; a change at the very start has no stretch before it.
    expect(withContext(lineDiff(a, a)!, 3)).toEqual([{ op: "skip", count: 20 }]);
    expect(withContext(lineDiff(["x", "a"], ["y", "a"])!, 3).map((l) => l.op)).toEqual(["-", "+", " "]);
  });

  test("past the line bound it refuses (null) instead of freezing the page", () => {
    const many = Array.from({ length: MAX_DIFF_LINES + 1 }, (_, i) => String(i));
    expect(lineDiff(many, ["0"])).toBeNull();
    expect(lineDiff(["0"], many)).toBeNull();
  });

  test("for any two texts: the kept and removed lines give the old one, the kept and added the new one, and the kept are a longest common run", () => {
    const lines = fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 30 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const diff = lineDiff(a, b)!;
        expect(diff.filter((l) => l.op !== "+").map((l) => l.text)).toEqual(a);
        expect(diff.filter((l) => l.op !== "-").map((l) => l.text)).toEqual(b);
        expect(diff.filter((l) => l.op === " ").length).toBe(lcsLength(a, b));
      }),
    );
  });
});

function lcsLength(a: string[], b: string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = x === b[j - 1] ? diagonal + 1 : Math.max(row[j]!, row[j - 1]!);
      diagonal = up;
    }
  }
  return row[b.length]!;
}

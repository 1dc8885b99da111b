// The per-process budget on worker output: lines past it are counted and summed up once per window, then it starts over.
import { expect, test } from "bun:test";
import { OutputBudget } from "../../src/master/output-budget.ts";

test("past the window's lines or characters a line is refused; the summary counts them; the next window admits again", () => {
  let now = 0;
  const summaries: string[] = [];
  const budget = new OutputBudget(
    (s) => summaries.push(s),
    { lines: 3, chars: 100, windowMs: 1000 },
    () => now,
  );
  expect(["a", "b", "c", "d", "e"].map((line) => budget.admit(line))).toEqual([true, true, true, false, false]);
  now = 999;
  expect(budget.admit("f")).toBe(false);
  expect(summaries).toEqual([]);
  now = 1000;
  expect(budget.admit("x".repeat(100))).toBe(true);
  expect(summaries).toEqual(["[log] 3 lines (3 characters) of this process's output left out (at most 3 lines or 0 KiB per 1 s per process)"]);
  expect(budget.admit("y")).toBe(false); // 101 characters in this window
  budget.flush();
  expect(summaries[1]).toStartWith("[log] 1 line (1 characters)");
  budget.flush();
  expect(summaries).toHaveLength(2);
});

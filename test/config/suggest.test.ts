import { expect, test } from "bun:test";
import { didYouMean, editDistance, suggest } from "../../src/config/suggest.ts";

test("edit distance counts a swap of neighbours as one edit", () => {
  expect(editDistance("tpc", "tcp")).toBe(1);
  expect(editDistance("lisen", "listen")).toBe(1);
  expect(editDistance("kitten", "sitting")).toBe(3);
  expect(editDistance("", "abc")).toBe(3);
  expect(editDistance("same", "same")).toBe(0);
});

test("suggest picks the nearest plausible candidate, or nothing", () => {
  const keys = ["name", "listen", "count", "handler", "protocol", "static"];
  expect(suggest("lisen", keys)).toBe("listen");
  expect(suggest("hander", keys)).toBe("handler");
  expect(suggest("Count", keys)).toBe("count");
  expect(suggest("cnt", keys)).toBe("count");
  expect(suggest("banana", keys)).toBeUndefined();
  expect(suggest("xy", ["ws"])).toBeUndefined();
});

test("didYouMean formats the hint", () => {
  expect(didYouMean("lisen", ["listen"])).toBe(' (did you mean "listen"?)');
  expect(didYouMean("zzz", ["listen"])).toBe("");
});

// The admin plane's connection cap leaves the master descriptors to spawn workers, log and answer the CLI.
import { expect, test } from "bun:test";
import { adminConnectionBudget, openFilesLimit } from "../../src/master/descriptor-reserve.ts";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             63704                63704                processes
Max open files            1024                 524288               files
`;

test("the soft open-files limit is read from /proc/self/limits; unlimited or unreadable is null", () => {
  expect(openFilesLimit(LIMITS)).toBe(1024);
  expect(openFilesLimit(LIMITS.replace("1024 ", "unlimited "))).toBeNull();
  expect(openFilesLimit("nothing here")).toBeNull();
  expect(openFilesLimit()).toBeGreaterThan(0); // this process's own
});

test("the configured cap stands when the limit leaves room; it is lowered when it does not, never below 8", () => {
  expect(adminConnectionBudget(256, 4, 20_000)).toEqual({ maxConnections: 256, openFilesLimit: 20_000, reserve: 64 + 8 * 4 * 2 });
  // 1024 descriptors, 32 workers: 64 + 512 kept, half of the rest for the admin plane.
  expect(adminConnectionBudget(256, 32, 1024)).toEqual({ maxConnections: 224, openFilesLimit: 1024, reserve: 576 });
  expect(adminConnectionBudget(256, 100, 1024).maxConnections).toBe(8);
  expect(adminConnectionBudget(300, 4, null)).toEqual({ maxConnections: 300, openFilesLimit: null, reserve: 128 });
});

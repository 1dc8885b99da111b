// The test waits themselves: they return as soon as the thing happens, and fail saying what they waited for and what they saw.
import { describe, expect, test } from "bun:test";
import { expectNothingWithin, settledFlag, settlesWithin, steadyValue, waitFor, within } from "./wait.ts";

describe("waitFor", () => {
  test("returns the first truthy value, without waiting once it holds", async () => {
    let calls = 0;
    expect(await waitFor(() => ++calls >= 3 && `after ${calls}`, { intervalMs: 1 })).toBe("after 3");
  });

  test("fails naming what it waited for and the last value seen", async () => {
    const failed = waitFor(() => false, { timeoutMs: 50, what: "the process", intervalMs: 5 });
    await expect(failed).rejects.toThrow(/timed out after 50 ms waiting for the process; last value seen: false/);
    const status = { state: "starting" };
    const whole = waitFor(() => status, { until: (s) => s.state === "ready", timeoutMs: 30, what: "ready" });
    await expect(whole).rejects.toThrow('waiting for ready; last value seen: {"state":"starting"}');
  });

  test("a check that throws fails at once", async () => {
    await expect(
      waitFor(() => {
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
  });
});

describe("bounded waits on promises", () => {
  test("within resolves with the value, or fails naming what was missing", async () => {
    expect(await within(Promise.resolve(7), 100, "seven")).toBe(7);
    await expect(within(new Promise(() => {}), 20, "the close")).rejects.toThrow("timed out after 20 ms waiting for the close");
  });

  test("settlesWithin and settledFlag tell whether a promise settled", async () => {
    expect(await settlesWithin(Promise.reject(new Error("x")), 50)).toBe(true);
    expect(await settlesWithin(new Promise(() => {}), 20)).toBe(false);
    const { promise, resolve } = Promise.withResolvers<void>();
    const settled = settledFlag(promise);
    expect(settled()).toBe(false);
    resolve();
    await promise;
    expect(settled()).toBe(true);
  });
});

describe("deliberate pauses", () => {
  test("expectNothingWithin passes after the whole time when nothing happens", async () => {
    const startedAt = performance.now();
    await expectNothingWithin(40, () => false, "anything");
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(39);
  });

  test("expectNothingWithin fails as soon as the thing happens, naming it", async () => {
    let happened = false;
    setTimeout(() => (happened = true), 10);
    const startedAt = performance.now();
    await expect(expectNothingWithin(5000, () => happened, "the client closed")).rejects.toThrow("the client closed within 5000 ms");
    expect(performance.now() - startedAt).toBeLessThan(4000);
  });

  test("steadyValue returns a value once it holds across the window", async () => {
    let value = 0;
    const timer = setInterval(() => value < 3 && value++, 5);
    try {
      expect(await steadyValue(() => value, { windowMs: 30 })).toBe(3);
    } finally {
      clearInterval(timer);
    }
  });
});

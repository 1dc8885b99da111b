// Round y-axis ticks: nice steps (1, 2, 2.5, 5 x 10^k), and memory ticks that are round in the unit they are read in.
import { describe, expect, test } from "bun:test";
import { byteTicks, formatAxisBytes, formatAxisNumber, formatAxisSeconds, niceStep, niceTicks } from "../../admin-ui/axis-ticks.ts";

const MiB = 1024 ** 2;

describe("nice numbers", () => {
  test("a raw step rounds up to 1, 2, 2.5 or 5 times a power of ten", () => {
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(1)).toBe(1);
    expect(niceStep(1.3)).toBe(2);
    expect(niceStep(2.2)).toBe(2.5);
    expect(niceStep(23.8)).toBe(25);
    expect(niceStep(31)).toBe(50);
    expect(niceStep(51)).toBe(100);
    expect(niceStep(0.0031)).toBe(0.005);
    expect(niceStep(12_000)).toBe(20_000);
  });

  test("ticks from 0 cover the maximum in at most the asked count, each a multiple of the step", () => {
    expect(niceTicks(71.5, 3)).toEqual({ step: 25, ticks: [0, 25, 50, 75] });
    expect(niceTicks(71.5, 4)).toEqual({ step: 20, ticks: [0, 20, 40, 60, 80] });
    expect(niceTicks(9, 4)).toEqual({ step: 2.5, ticks: [0, 2.5, 5, 7.5, 10] });
    expect(niceTicks(1000, 4)).toEqual({ step: 250, ticks: [0, 250, 500, 750, 1000] });
    // Decimal steps stay exact in text (no 0.30000000000000004).
    expect(niceTicks(0.3, 3).ticks.map(String)).toEqual(["0", "0.1", "0.2", "0.3"]);
    for (const max of [0.013, 1, 7, 99, 101, 12345, 9.9e6]) {
      for (const count of [2, 3, 4, 6]) {
        const { step, ticks } = niceTicks(max, count);
        expect(ticks.at(-1)!).toBeGreaterThanOrEqual(max);
        expect(ticks.length - 1).toBeLessThanOrEqual(count);
        for (const t of ticks) expect(Math.abs(t / step - Math.round(t / step))).toBeLessThan(1e-9);
      }
    }
  });

  test("counts tick on whole numbers only", () => {
    expect(niceTicks(3, 4, true)).toEqual({ step: 1, ticks: [0, 1, 2, 3] });
    expect(niceTicks(9, 4, true)).toEqual({ step: 5, ticks: [0, 5, 10] });
    expect(niceTicks(0.2, 4, true)).toEqual({ step: 1, ticks: [0, 1] });
    expect(niceTicks(90, 4, true)).toEqual({ step: 25, ticks: [0, 25, 50, 75, 100] });
  });

  test("nothing to show, or a maximum that is not a number, still gives one step", () => {
    expect(niceTicks(0, 4)).toEqual({ step: 1, ticks: [0, 1] });
    expect(niceTicks(Number.NaN, 4)).toEqual({ step: 1, ticks: [0, 1] });
    expect(niceTicks(-5, 4)).toEqual({ step: 1, ticks: [0, 1] });
  });

  test("memory ticks are round in MiB (25 / 50 / 75, never 23.8 / 47.7 / 71.5)", () => {
    expect(byteTicks(71.5 * MiB, 3).map(formatAxisBytes)).toEqual(["0", "25 MiB", "50 MiB", "75 MiB"]);
    expect(byteTicks(190 * MiB, 4).map((t) => t / MiB)).toEqual([0, 50, 100, 150, 200]);
    expect(byteTicks(1.6 * 1024 * MiB, 4).map(formatAxisBytes)).toEqual(["0", "512 MiB", "1 GiB", "1.5 GiB", "2 GiB"]);
    expect(byteTicks(2.2 * MiB, 4).map(formatAxisBytes)).toEqual(["0", "1 MiB", "2 MiB", "3 MiB"]);
    expect(byteTicks(700, 4)).toEqual([0, 200, 400, 600, 800]);
  });

  test("a plain tick reads as the number it is, never rounded to another", () => {
    expect(niceTicks(1, 4).ticks.map(formatAxisNumber)).toEqual(["0", "0.25", "0.5", "0.75", "1"]);
    expect(niceTicks(0.3, 3).ticks.map(formatAxisNumber)).toEqual(["0", "0.1", "0.2", "0.3"]);
    expect(formatAxisNumber(25_000)).toBe("25,000");
  });

  test("latency ticks read in ms below a second, in s past it", () => {
    expect(niceTicks(0.0071, 3).ticks.map(formatAxisSeconds)).toEqual(["0", "2.5 ms", "5 ms", "7.5 ms"]);
    expect(niceTicks(1.8, 4).ticks.map(formatAxisSeconds)).toEqual(["0", "500 ms", "1 s", "1.5 s", "2 s"]);
  });
});

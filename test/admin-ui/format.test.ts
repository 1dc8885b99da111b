// The dashboard's cell formatting: what an operator reads for bytes, durations, rates and times.
import { describe, expect, test } from "bun:test";
import { formatBytes, formatCount, formatDuration, formatInterval, formatRate, formatRelative } from "../../admin-ui/format.ts";

describe("admin-ui format", () => {
  test("bytes use binary units with one decimal below 100", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(200 * 1024 * 1024)).toBe("200 MiB");
    expect(formatBytes(3 * 1024 ** 4 * 1024)).toBe("3072 TiB");
  });

  test("durations grow from seconds to days; a negative or unknown one is a dash", () => {
    expect(formatDuration(59_999)).toBe("59s");
    expect(formatDuration(61_000)).toBe("1m 1s");
    expect(formatDuration(3 * 3600_000 + 5 * 60_000)).toBe("3h 5m");
    expect(formatDuration(50 * 3600_000)).toBe("2d 2h");
    expect(formatDuration(-1)).toBe("–");
    expect(formatDuration(Number.NaN)).toBe("–");
  });

  test("timer intervals, rates and counts", () => {
    expect(formatInterval(500)).toBe("500 ms");
    expect(formatInterval(10_000)).toBe("10 s");
    expect(formatInterval(1500)).toBe("1.5 s");
    expect(formatRate(12.34)).toBe("12.3");
    expect(formatRate(12345.6)).toBe("12,346");
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe("0");
    expect(formatCount(1234567.4)).toBe("1,234,567");
  });

  test("relative times say which side of now they are on", () => {
    expect(formatRelative(13_000, 10_000)).toBe("in 3s");
    expect(formatRelative(7_000, 10_000)).toBe("3s ago");
  });
});

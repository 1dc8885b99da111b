// The master's reader of worker output: whole lines, and a line past the limit cut at once, not held until it ends.
import { describe, expect, test } from "bun:test";
import { CUT_MARK, forEachLine } from "../../src/master/line-splitter.ts";

/** A stream that hands over `chunks` one read at a time, then stays open until `end()` (a worker still printing). */
function childOutput(chunks: string[]) {
  let close = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      close = () => controller.close();
    },
  });
  return { stream, end: () => close() };
}

describe("forEachLine", () => {
  test("lines split across reads and several in one read come out whole, in order; the unterminated last one too", async () => {
    const { stream, end } = childOutput(["a", "b\nc\n", "d\ne"]);
    const lines: string[] = [];
    const done = forEachLine(stream, (line) => lines.push(line), 100);
    end();
    await done;
    expect(lines).toEqual(["ab", "c", "d", "e"]);
  });

  test("a 10 MB line arriving in 64 KB reads is handed over cut at the limit; the next line is whole", async () => {
    const chunks = Array.from({ length: 160 }, () => "x".repeat(64 * 1024));
    const { stream, end } = childOutput([...chunks, "\nafter\n"]);
    const lines: string[] = [];
    const done = forEachLine(stream, (line) => lines.push(line), 16 * 1024);
    end();
    await done;
    expect(lines).toEqual(["x".repeat(16 * 1024) + CUT_MARK, "after"]);
  });

  test("a line that never ends is handed over as soon as it passes the limit, while the stream is still open", async () => {
    const { stream, end } = childOutput(["y".repeat(5000), "y".repeat(5000)]);
    const first = Promise.withResolvers<string>();
    const done = forEachLine(stream, (line) => first.resolve(line), 8000);
    expect(await first.promise).toBe("y".repeat(8000) + CUT_MARK);
    end();
    await done;
  });

  test("without a limit a long line comes out whole (the test harness reads the master's output this way)", async () => {
    const { stream, end } = childOutput(["z".repeat(100_000), "\n"]);
    const lines: string[] = [];
    const done = forEachLine(stream, (line) => lines.push(line));
    end();
    await done;
    expect(lines.map((l) => l.length)).toEqual([100_000]);
  });
});

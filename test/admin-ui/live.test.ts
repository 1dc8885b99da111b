// The dashboard's reader of the live feed: frames split anywhere across chunks (even inside a UTF-8 character) come out whole.
import { expect, test } from "bun:test";
import { readFrames } from "../../admin-ui/live.ts";

function streamOf(text: string, cut: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += cut) controller.enqueue(bytes.slice(i, i + cut));
      controller.close();
    },
  });
}

test("every frame arrives once, whole, in order, whatever the chunk size", async () => {
  const text =
    'event: hello\nretry: 1000\ndata: {"pid":1}\n\n: a comment\n\nevent: handler-error\ndata: {"message":"héllo ✓"}\n\nevent: stats\ndata: {"processes":[]}\n\n';
  for (const cut of [1, 2, 3, 7, 64, 10_000]) {
    const frames: [string, string][] = [];
    await readFrames(streamOf(text, cut), (type, data) => frames.push([type, data]));
    expect(frames).toEqual([
      ["hello", '{"pid":1}'],
      ["handler-error", '{"message":"héllo ✓"}'],
      ["stats", '{"processes":[]}'],
    ]);
  }
});

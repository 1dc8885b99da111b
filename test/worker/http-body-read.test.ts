// Request bodies under the input budget: counted while read, the largest shed past maxBufferedInput, a stalled one timed out.
import { expect, test } from "bun:test";
import type { Server } from "bun";
import { readBodyFirst } from "../../src/worker/http-body-read.ts";
import { InputBudget } from "../../src/worker/input-budget.ts";
import type { WorkerRuntime } from "../../src/worker/runtime.ts";
import { within } from "../support/wait.ts";

const server = { requestIP: () => ({ address: "192.0.2.7", port: 1, family: "IPv4" }) } as unknown as Server<unknown>;

function fakeRuntime(maxBufferedInput: number, packageTimeout: number, maxBodySize = 1 << 20) {
  const counters = { inputShed: 0, packageTimeouts: 0, bytesRead: 0 };
  const input = new InputBudget({ counters, forEachStreamHolder() {} }, maxBufferedInput, packageTimeout);
  const runtime = { config: { maxBodySize, packageTimeout }, input, counters } as unknown as WorkerRuntime;
  return { runtime, counters, input };
}

/** A body whose chunks the test pushes; it never ends unless told to. */
function body() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const request = new Request("http://t/up", { method: "POST", body: stream });
  const push = (n: number) => {
    const chunk = new Uint8Array(n).fill(7);
    controller.enqueue(chunk);
    return chunk;
  };
  return { request, push, end: () => controller.close() };
}

const refuse = (status: number, text: string) => new Response(text, { status });
/** Lets the read loop take what was pushed. */
const settle = () => Bun.sleep(5); // deliberate: a few event-loop turns for the stream's queued chunks

test("a body counts towards the budget while it is read, and is given back once the handler gets it", async () => {
  const { runtime, input, counters } = fakeRuntime(1 << 20, 30);
  const b = body();
  const read = readBodyFirst(runtime, b.request, server, refuse);
  b.push(1000);
  await settle();
  expect(input.held).toBe(1000);
  b.end();
  expect(await read).toBeNull();
  expect(input.held).toBe(0);
  // What was read is what the process received.
  expect(counters.bytesRead).toBe(1000);
});

test("past maxBufferedInput the largest unfinished body is answered 503 with a close; the smaller one goes on", async () => {
  const { runtime, counters, input } = fakeRuntime(1500, 30);
  const small = body();
  const large = body();
  const smallRead = readBodyFirst(runtime, small.request, server, refuse);
  const largeRead = readBodyFirst(runtime, large.request, server, refuse);
  small.push(600);
  large.push(800);
  await settle();
  expect(counters.inputShed).toBe(0);
  large.push(200); // 1,600 held: the 1,000 of the larger one go
  const refused = await within(largeRead, 2000, "the larger body to be shed");
  expect([refused?.status, refused?.headers.get("connection")]).toEqual([503, "close"]);
  expect(counters.inputShed).toBe(1);
  expect(input.held).toBe(600);
  small.end();
  expect(await smallRead).toBeNull();
  expect(input.held).toBe(0);
});

test("packageTimeout: a body that does not complete in time is answered 408 with a close, counted", async () => {
  const { runtime, counters, input } = fakeRuntime(1 << 20, 0.2);
  const b = body();
  const startedAt = Date.now();
  const read = readBodyFirst(runtime, b.request, server, refuse);
  b.push(10);
  const refused = await within(read, 3000, "the stalled body to time out");
  expect(Date.now() - startedAt).toBeGreaterThanOrEqual(200);
  expect(refused?.status).toBe(408);
  expect(counters.packageTimeouts).toBe(1);
  expect(input.held).toBe(0);
});

test("a refused body's chunks are freed at once (nobody will read them), not left as garbage; one read whole stays the handler's", async () => {
  const { runtime, input } = fakeRuntime(300_000, 30);
  const whole = body();
  const wholeRead = readBodyFirst(runtime, whole.request, server, refuse);
  const kept = whole.push(100_000);
  await settle();
  whole.end();
  expect(await wholeRead).toBeNull();
  expect(kept.byteLength).toBe(100_000);
  expect((await whole.request.arrayBuffer()).byteLength).toBe(100_000);

  // Over maxBodySize: 413.
  const big = body();
  const bigRead = readBodyFirst(fakeRuntime(1 << 30, 30, 200_000).runtime, big.request, server, refuse);
  const first = big.push(150_000);
  const second = big.push(100_000);
  expect((await bigRead)?.status).toBe(413);
  expect([first.byteLength, second.byteLength]).toEqual([0, 0]);

  // Shed past the budget: 503.
  const small = body();
  const large = body();
  const smallRead = readBodyFirst(runtime, small.request, server, refuse);
  const largeRead = readBodyFirst(runtime, large.request, server, refuse);
  const smallChunk = small.push(100_000);
  const largeChunks = [large.push(150_000)];
  await settle();
  largeChunks.push(large.push(100_000));
  expect((await within(largeRead, 2000, "the larger body to be shed"))?.status).toBe(503);
  expect(largeChunks.map((c) => c.byteLength)).toEqual([0, 0]);
  expect([smallChunk.byteLength, input.held, input.dropped]).toEqual([100_000, 100_000, 0]);
  small.end();
  expect(await smallRead).toBeNull();
});

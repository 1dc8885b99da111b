// Request bodies under the input budget: counted while read, the largest shed past maxBufferedInput, a stalled one timed out.
import { expect, test } from "bun:test";
import type { Server } from "bun";
import { readBodyFirst } from "../../src/worker/http-body-read.ts";
import { InputBudget } from "../../src/worker/input-budget.ts";
import type { WorkerRuntime } from "../../src/worker/runtime.ts";
import { within } from "../support/wait.ts";

const server = { requestIP: () => ({ address: "192.0.2.7", port: 1, family: "IPv4" }) } as unknown as Server<unknown>;

function fakeRuntime(maxBufferedInput: number, packageTimeout: number) {
  const counters = { inputShed: 0, packageTimeouts: 0, bytesRead: 0 };
  const input = new InputBudget({ counters, forEachStreamHolder() {} }, maxBufferedInput, packageTimeout);
  const runtime = { config: { maxBodySize: 1 << 20, packageTimeout }, input, counters } as unknown as WorkerRuntime;
  return { runtime, counters, input };
}

/** A body whose chunks the test pushes; it never ends unless told to. */
function body() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const request = new Request("http://t/up", { method: "POST", body: stream });
  return { request, push: (n: number) => controller.enqueue(new Uint8Array(n)), end: () => controller.close() };
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

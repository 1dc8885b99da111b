// Micro-benchmark, not a test: our per-request path of http:// groups (createAnswer: the in-flight cap, the body check,
// the handler call) for a GET and a POST with a small body, sync and async handlers (`bun bench/http-answer.bench.ts
// [src dirs to compare...]`): ns per request, alternating rounds, medians. The same Request is answered again and again
// (the body is never read), so what is timed is our code, not Bun's parser.
import { resolve } from "node:path";
import { median } from "./lib/stats.ts";

const ROUNDS = 9;
const CALLS = 300_000;
const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2).map((dir) => resolve(dir)) : [resolve(import.meta.dir, "../src")];

type Case = "GET, sync handler" | "POST 1 KB, sync handler" | "POST 1 KB, async handler";
const CASES: Case[] = ["GET, sync handler", "POST 1 KB, sync handler", "POST 1 KB, async handler"];
type Answer = (request: Request, server: unknown) => Response | Promise<Response>;

const server = { pendingRequests: 0, requestIP: () => null };
const requests: Record<Case, Request> = {
  "GET, sync handler": new Request("http://127.0.0.1/"),
  "POST 1 KB, sync handler": new Request("http://127.0.0.1/", { method: "POST", body: "x".repeat(1024), headers: { "content-length": "1024" } }),
  "POST 1 KB, async handler": new Request("http://127.0.0.1/", { method: "POST", body: "x".repeat(1024), headers: { "content-length": "1024" } }),
};

async function answerOf(root: string, async: boolean): Promise<Answer> {
  const { WorkerRuntime } = await import(`${root}/worker/runtime.ts`);
  const { createAnswer } = await import(`${root}/worker/http-answer.ts`);
  const config = { name: "web", listen: { scheme: "http", host: "127.0.0.1", port: 0 }, maxBodySize: 1 << 20, maxConnections: 1000, maxBufferedInput: 1 << 26 };
  const runtime = new WorkerRuntime({ config, index: 0, generation: 1 }, () => {});
  const response = new Response("ok");
  runtime.setApp({ fetch: async ? async () => response : () => response });
  return createAnswer(runtime, (r: Response) => r).answer;
}

async function nsPerCall(answer: Answer, request: Request): Promise<number> {
  const started = Bun.nanoseconds();
  for (let i = 0; i < CALLS; i++) {
    const result = answer(request, server);
    if (result instanceof Promise) await result;
  }
  return (Bun.nanoseconds() - started) / CALLS;
}

const subjects = await Promise.all(
  roots.map(async (root) => ({ root, sync: await answerOf(root, false), async: await answerOf(root, true), ns: new Map<Case, number[]>() })),
);
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 ? subjects : [...subjects].reverse();
  for (const subject of order) {
    for (const name of CASES) {
      const ns = await nsPerCall(name.endsWith("async handler") ? subject.async : subject.sync, requests[name]);
      if (round > 0) subject.ns.set(name, [...(subject.ns.get(name) ?? []), ns]);
    }
  }
}
console.log(`ns per request, median of ${ROUNDS - 1} alternating rounds of ${CALLS.toLocaleString("en-US")} calls (after one uncounted)`);
for (const name of CASES) console.log(`${name.padEnd(26)} ${subjects.map((s) => `${s.root}: ${median(s.ns.get(name)!).toFixed(1)}`).join("   ")}`);

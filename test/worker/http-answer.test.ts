// The fetch path without sockets: synchronous answers stay synchronous, the static index answers before the handler.
import { afterAll, describe, expect, spyOn, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import { behindBodyLimit, createAnswer } from "../../src/worker/http-answer.ts";
import { InputBudget } from "../../src/worker/input-budget.ts";
import type { WorkerRuntime } from "../../src/worker/runtime.ts";
import type { App } from "../../src/worker/types.ts";

const dir = mkdtempSync(join(tmpdir(), "wm-answer-"));
writeFileSync(join(dir, "a.txt"), "file a");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeRuntime(app: App, staticDir?: string) {
  const errors: unknown[] = [];
  const runtime = {
    app,
    config: { static: staticDir, maxBodySize: LIMIT },
    counters: { requests: 0, protocolErrors: 0 },
    input: new InputBudget({ counters: { inputShed: 0, packageTimeouts: 0 }, forEachStreamHolder() {} }, 1 << 30, 30),
    reportError: (_cb: string, _conn: unknown, err: unknown) => errors.push(err),
  } as unknown as WorkerRuntime;
  return { runtime, errors };
}
const LIMIT = 100;
const server = { requestIP: () => ({ address: "192.0.2.7", port: 1, family: "IPv4" }) } as unknown as Server<unknown>;
const identity = (r: Response) => r;

describe("createAnswer", () => {
  test("a handler that returns a Response is answered with that Response, not a promise", async () => {
    const { runtime } = fakeRuntime({ fetch: () => new Response("sync") });
    const result = createAnswer(runtime, identity).answer(new Request("http://t/x"), server);
    expect(result).toBeInstanceOf(Response);
    expect(await (result as Response).text()).toBe("sync");
    expect(runtime.counters.requests).toBe(1);
  });

  test("static hits are synchronous too; misses reach the handler; an async handler stays a promise", async () => {
    const { runtime } = fakeRuntime({ fetch: async (r) => new Response("handler " + new URL(r.url).pathname) }, dir);
    const { answer, files } = createAnswer(runtime, identity);
    try {
      const hit = answer(new Request("http://t/a.txt"), server);
      expect(hit).toBeInstanceOf(Response);
      expect(await (hit as Response).text()).toBe("file a");
      const miss = answer(new Request("http://t/b.txt"), server);
      expect(miss).toBeInstanceOf(Promise);
      expect(await (await miss).text()).toBe("handler /b.txt");
    } finally {
      files?.close();
    }
  });

  test("a relative URL (Bun's answer to a malformed Host) is a 400 client error, not a handler error", async () => {
    const { runtime, errors } = fakeRuntime({ fetch: (r) => new Response(new URL(r.url).pathname) });
    const malformed = { url: "/x", method: "GET", headers: new Headers(), body: null } as unknown as Request;
    const result = (await createAnswer(runtime, identity).answer(malformed, server)) as Response;
    expect(result.status).toBe(400);
    expect(errors).toEqual([]);
    expect(runtime.counters.protocolErrors).toBe(1);
  });

  test("a handler that throws on a good request is a 500 and a reported handler error", async () => {
    const { runtime, errors } = fakeRuntime({
      fetch: () => {
        throw new Error("boom");
      },
    });
    const result = (await createAnswer(runtime, identity).answer(new Request("http://t/x"), server)) as Response;
    expect(result.status).toBe(500);
    expect((errors[0] as Error).message).toBe("boom");
  });

  describe("maxBodySize", () => {
    const post = (init: RequestInit) => new Request("http://t/up", { method: "POST", ...init });
    // As Bun.serve hands them over: the length in the headers (a Request built here leaves it implicit).
    const sized = (n: number) => post({ body: "x".repeat(n), headers: { "content-length": String(n) } });
    const stream = (...sizes: number[]) =>
      new ReadableStream<Uint8Array>({
        start(c) {
          for (const n of sizes) c.enqueue(new Uint8Array(n));
          c.close();
        },
      });
    const lines = () => {
      const spy = spyOn(console, "error").mockImplementation(() => {});
      return { lines: () => spy.mock.calls.map((call) => String(call[0])), [Symbol.dispose]: () => spy.mockRestore() };
    };
    const echo = async (r: Request) => new Response(`got ${(await r.arrayBuffer()).byteLength}`);

    test("a Content-Length over it is a synchronous 413 with a close, counted and logged; the handler never runs", async () => {
      using log = lines();
      let ran = 0;
      const { runtime, errors } = fakeRuntime({ fetch: () => (ran++, new Response("ran")) });
      const { answer } = createAnswer(runtime, identity);
      const refused = answer(sized(LIMIT + 1), server);
      expect(refused).toBeInstanceOf(Response);
      expect([(refused as Response).status, (refused as Response).headers.get("connection")]).toEqual([413, "close"]);
      expect(log.lines()).toEqual([`closing http connection from 192.0.2.7: Content-Length ${LIMIT + 1} is over maxBodySize ${LIMIT} (answered 413)`]);
      expect((answer(sized(LIMIT), server) as Response).status).toBe(200);
      expect([ran, runtime.counters.protocolErrors, errors.length]).toEqual([1, 1, 0]);
    });

    test("a body without a length is counted while read: past the limit a 413, at it the handler gets it whole", async () => {
      using log = lines();
      const { runtime } = fakeRuntime({ fetch: echo });
      const { answer } = createAnswer(runtime, identity);
      const refused = await answer(post({ body: stream(60, 60) }), server);
      expect([refused.status, refused.headers.get("connection")]).toEqual([413, "close"]);
      expect(log.lines()).toEqual([`closing http connection from 192.0.2.7: a chunked body is over maxBodySize ${LIMIT} (answered 413)`]);
      expect(await (await answer(post({ body: stream(50, 50) }), server)).text()).toBe(`got ${LIMIT}`);
      expect(runtime.counters.protocolErrors).toBe(1);
    });

    test("behindBodyLimit holds a function route to the same limit; a GET passes untouched", async () => {
      using _log = lines();
      const { runtime } = fakeRuntime({});
      const route = behindBodyLimit(runtime, echo);
      expect((await route(sized(LIMIT + 1), server)).status).toBe(413);
      expect((await route(post({ body: stream(LIMIT + 1) }), server)).status).toBe(413);
      expect(await (await route(new Request("http://t/up"), server)).text()).toBe("got 0");
      expect(runtime.counters.protocolErrors).toBe(2);
    });
  });
});

describe("a small body counts towards the input budget while its handler answers, and is given back however it ends", () => {
  const post = () => new Request("http://t/x", { method: "POST", body: "0123456789", headers: { "content-length": "10" } });
  const cases: [string, (seen: number[], runtime: () => WorkerRuntime) => App["fetch"]][] = [
    ["returns a Response", (seen, rt) => () => (seen.push(rt().input.held), new Response("ok"))],
    ["resolves", (seen, rt) => async () => (seen.push(rt().input.held), new Response("ok"))],
    ["throws", (seen, rt) => () => (seen.push(rt().input.held), Promise.reject(new Error("boom")) as never)],
    [
      "throws synchronously",
      (seen, rt) => () => {
        seen.push(rt().input.held);
        throw new Error("boom");
      },
    ],
  ];
  for (const [how, handler] of cases) {
    test(`a handler that ${how}`, async () => {
      const seen: number[] = [];
      let runtime: WorkerRuntime;
      ({ runtime } = fakeRuntime({ fetch: handler(seen, () => runtime) }));
      const response = await createAnswer(runtime, identity).answer(post(), server);
      expect(seen).toEqual([10]);
      expect(runtime.input.held).toBe(0);
      expect([200, 500]).toContain(response.status);
    });
  }

  test("behind the body limit (a function in routes), resolved or rejected", async () => {
    const { runtime } = fakeRuntime({});
    let during = -1;
    const ok = behindBodyLimit(runtime, async () => ((during = runtime.input.held), new Response("ok")));
    expect((await ok(post(), server)).status).toBe(200);
    expect([during, runtime.input.held]).toEqual([10, 0]);
    const failing = behindBodyLimit(runtime, async () => Promise.reject(new Error("boom")));
    await expect(failing(post(), server)).rejects.toThrow("boom");
    expect(runtime.input.held).toBe(0);
  });
});

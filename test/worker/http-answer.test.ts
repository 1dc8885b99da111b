// The fetch path without sockets: synchronous answers stay synchronous, the static index answers before the handler.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import { createAnswer } from "../../src/worker/http-answer.ts";
import type { WorkerRuntime } from "../../src/worker/runtime.ts";
import type { App } from "../../src/worker/types.ts";

const dir = mkdtempSync(join(tmpdir(), "wm-answer-"));
writeFileSync(join(dir, "a.txt"), "file a");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeRuntime(app: App, staticDir?: string) {
  const errors: unknown[] = [];
  const runtime = {
    app,
    config: { static: staticDir },
    counters: { requests: 0, protocolErrors: 0 },
    reportError: (_cb: string, _conn: unknown, err: unknown) => errors.push(err),
  } as unknown as WorkerRuntime;
  return { runtime, errors };
}
const server = {} as Server<unknown>;
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
});

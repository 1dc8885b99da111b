// A handler's Bun-native `routes`, the synchronous fetch path and the static index, end to end over real sockets.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync, unlinkSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppUnderTest } from "../support/app-under-test.ts";
import { exchange, get } from "../support/raw-http.ts";
import { steadyValue } from "../support/wait.ts";

const handler = (filePath: string) => `export default {
  routes: {
    "/hello": new Response("hello from a static route"),
    "/logo.txt": Bun.file(${JSON.stringify(filePath)}),
    "/users/:id": (request) => new Response("user " + request.params.id),
    "/items": {
      GET: () => new Response("list"),
      POST: async (request) => new Response("created " + (await request.text())),
    },
    "/later": async () => { await Bun.sleep(5); return new Response("later"); },
  },
  fetch(request) {
    return new Response("fallback " + new URL(request.url).pathname);
  },
};`;

describe("http:// routes and the fetch path", () => {
  let app: AppUnderTest;
  let dir = "";
  let pub = "";
  let port = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wm-routes-"));
    pub = join(dir, "public");
    mkdirSync(pub);
    writeFileSync(join(dir, "logo.txt"), "LOGO");
    writeFileSync(join(pub, "page.txt"), "page");
    app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts", static: pub }],
      files: { "web.ts": handler(join(dir, "logo.txt")) },
    });
    port = await app.port("web");
  });
  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  const body = async (payload: string) => (await exchange(port, payload)).responses[0];

  test("static Responses, files, :params, per-method handlers, then static files, then fetch", async () => {
    expect((await body(get("/hello")))?.body).toBe("hello from a static route");
    expect((await body(get("/logo.txt")))?.body).toBe("LOGO");
    expect((await body(get("/users/42")))?.body).toBe("user 42");
    expect((await body(get("/items")))?.body).toBe("list");
    expect((await body("POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"))?.body).toBe("created abc");
    // A method the table lacks falls to fetch, as a path no route has does; the static folder sits in between.
    expect((await body("DELETE /items HTTP/1.1\r\nHost: t\r\n\r\n"))?.body).toBe("fallback /items");
    expect((await body(get("/page.txt")))?.body).toBe("page");
    expect((await body(get("/nowhere")))?.body).toBe("fallback /nowhere");
    expect((await body(get("/later")))?.body).toBe("later");
  });

  test("pipelined: native routes, function routes, static files and fetch answer in order", async () => {
    const paths = Array.from({ length: 64 }, (_, i) => ["/hello", `/users/${i}`, "/page.txt", `/f${i}`][i % 4]!);
    const { responses, closed } = await exchange(port, paths.map((p) => get(p)).join(""), paths.length);
    expect(closed).toBe(false);
    const expected = paths.map((p) =>
      p === "/hello" ? "hello from a static route" : p === "/page.txt" ? "page" : p.startsWith("/users/") ? `user ${p.slice(7)}` : `fallback ${p}`,
    );
    expect(responses.map((r) => r.body)).toEqual(expected);
  });

  test("status counts fetch and function-route requests; native static routes run no JavaScript to count", async () => {
    const requests = async () => (await app.status()).processes.find((p) => p.group === "web")!.requests;
    // The worker reports every second: a value that holds across a report (1.1 s) is the worker's own count.
    const settled = () => steadyValue(requests, { windowMs: 1100, timeoutMs: 10_000, what: "a settled request counter" });
    const start = await settled();
    // 3 counted (function route, fetch, static file via fetch) x 5, and 5 native ones that are not.
    for (let i = 0; i < 5; i++) {
      await body(get(`/users/${i}`));
      await body(get("/nope"));
      await body(get("/page.txt"));
      await body(get("/hello"));
    }
    const counted = (await settled()) - start;
    expect(counted).toBe(15);
  });

  test("the static index sees files added and removed (a path that is not a file costs no stat, so it must be told)", async () => {
    expect((await body(get("/new.txt")))?.body).toBe("fallback /new.txt");
    writeFileSync(join(pub, "new.txt"), "fresh");
    await app.waitFor(async () => (await body(get("/new.txt")))?.body === "fresh", 5000, "new.txt served");
    mkdirSync(join(pub, "deep"));
    writeFileSync(join(pub, "deep", "x.txt"), "deep x");
    await app.waitFor(async () => (await body(get("/deep/x.txt")))?.body === "deep x", 5000, "deep/x.txt served");
    unlinkSync(join(pub, "new.txt"));
    // Removed: never a 500 or a stale body, straight away (the hit's own stat sees it) and after the rebuild.
    expect((await body(get("/new.txt")))?.body).toBe("fallback /new.txt");
  });

  test("a handler with a malformed routes value is refused at load with the route named", async () => {
    await using bad = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./bad.ts" }],
      files: { "bad.ts": `export default { routes: { "/x": { GTE: () => new Response("") } } };` },
    }).catch((err: Error) => ({ message: err.message, [Symbol.asyncDispose]: async () => {} }));
    const text = "message" in bad ? bad.message : bad.output.join("\n");
    expect(text).toContain(`routes["/x"]: "GTE" is not an HTTP method`);
  });
});

describe("http:// routes during a reload's drain", () => {
  test("native routes answer Connection: close in the drain window, like fetch", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" }],
      files: { "web.ts": `export default { routes: { "/n": new Response("native") }, fetch: () => new Response("fetch") };` },
      extra: { drainWindowMs: 3000 },
    });
    const port = await app.port("web");
    const { streamClient } = await import("../support/clients.ts");
    const { parseResponses } = await import("../support/raw-http.ts");
    // One keep-alive connection, opened to the old process before the reload.
    const client = await streamClient({ port });
    let sent = 0;
    const ask = async () => {
      client.write(get("/n"));
      sent++;
      const text = await client.until((t) => parseResponses(t).length >= sent);
      return parseResponses(text)[sent - 1]!;
    };
    expect((await ask()).headers.connection).toBeUndefined();
    await app.api("/api/reload", { method: "POST", body: JSON.stringify({ group: "web" }), headers: { "Content-Type": "application/json" } });
    const closing = await app.waitFor(
      async () => {
        const response = await ask();
        return response.headers.connection === "close" ? response : undefined;
      },
      10_000,
      "a Connection: close answer from the draining process",
    );
    expect(closing.body).toBe("native");
    client.socket.end();
  });
});

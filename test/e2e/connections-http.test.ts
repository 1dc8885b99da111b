// http:// extras end to end: body limit (413), gzip/brotli static files, the sse() helper, idle and slow-header timeouts, requests in flight in the status.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { AppUnderTest } from "../support/app-under-test.ts";

const HANDLER = `import { sse } from "workerman-app";
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/upload") return new Response("got " + (await request.arrayBuffer()).byteLength);
    if (url.pathname === "/events") {
      return sse(request, (stream) => {
        let n = 0;
        stream.send({ hello: "world" }, { event: "greeting", id: "1" });
        stream.send("two\\nlines");
        const timer = setInterval(() => stream.send("tick " + ++n), 50);
        stream.onClose(() => { clearInterval(timer); console.log("sse closed after " + n + " ticks"); });
      });
    }
    return new Response("handler " + url.pathname);
  },
};`;

const CSS = Array.from({ length: 400 }, (_, i) => `.rule-${i} { color: #${(i * 997).toString(16).padStart(6, "0")}; }`).join("\n");

describe("http:// extras", () => {
  let app: AppUnderTest;
  let base = "";
  let staticDir = "";

  beforeAll(async () => {
    staticDir = mkdtempSync(join(tmpdir(), "wm-static-"));
    writeFileSync(join(staticDir, "big.css"), CSS);
    writeFileSync(join(staticDir, "small.txt"), "tiny");
    app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts", static: staticDir, maxBodySize: 64 * 1024, idleTimeout: 2 }],
      files: { "web.ts": HANDLER },
    });
    base = `http://127.0.0.1:${await app.port("web")}`;
  });
  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
    rmSync(staticDir, { recursive: true, force: true });
  });

  test("a body over maxBodySize gets 413; one under it reaches the handler", async () => {
    expect(await (await fetch(`${base}/upload`, { method: "POST", body: new Uint8Array(1000) })).text()).toBe("got 1000");
    const refused = await fetch(`${base}/upload`, { method: "POST", body: new Uint8Array(64 * 1024 + 1) });
    expect(refused.status).toBe(413);
    // Chunked (no Content-Length) is held to the same limit.
    const chunks = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(10 * 1024));
        c.close();
      },
    });
    expect((await fetch(`${base}/upload`, { method: "POST", body: chunks })).status).toBe(413);
  });

  test("static files: brotli or gzip as the client accepts, identity otherwise, validators kept", async () => {
    const get = (encoding: string) => fetch(`${base}/big.css`, { headers: { "Accept-Encoding": encoding }, decompress: false } as RequestInit);
    const br = await get("gzip, deflate, br");
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(br.headers.get("vary")).toBe("Accept-Encoding");
    const brBytes = Buffer.from(await br.arrayBuffer());
    expect(brBytes.length).toBeLessThan(CSS.length / 2);
    expect(brotliDecompressSync(brBytes).toString()).toBe(CSS);

    const gz = await get("gzip");
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(CSS);

    const plain = await get("identity");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(CSS);
    expect((await get("br;q=0, gzip")).headers.get("content-encoding")).toBe("gzip");

    // Tiny files are not worth it; conditional requests still answer 304.
    expect((await get("br")).headers.get("etag")).toBe(br.headers.get("etag"));
    expect(
      (await fetch(`${base}/small.txt`, { headers: { "Accept-Encoding": "br" }, decompress: false } as RequestInit)).headers.get("content-encoding"),
    ).toBeNull();
    expect((await fetch(`${base}/big.css`, { headers: { "If-None-Match": br.headers.get("etag")!, "Accept-Encoding": "br" } })).status).toBe(304);
  });

  test("sse(): events stream with names, ids and multi-line data; the handler hears the client leave", async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/events`, { signal: controller.signal });
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes("tick 2")) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: greeting\nid: 1\ndata: {"hello":"world"}\n\n');
    expect(text).toContain("data: two\ndata: lines\n\n");
    controller.abort();
    await app.waitFor(() => app.output.some((l) => /sse closed after \d+ ticks/.test(l)), 5000, "onClose of the stream");
  });

  test("idle keep-alive connections close after idleTimeout; slow headers (1 byte/s) are cut whatever the timeout", async () => {
    const opened = performance.now();
    const watch = (first: string) => {
      const socket = net.connect(Number(new URL(base).port), "127.0.0.1", () => first && socket.write(first));
      socket.on("error", () => {});
      socket.on("data", () => {});
      return { socket, closed: new Promise<number>((resolve) => socket.on("close", () => resolve(performance.now() - opened))) };
    };
    const idle = watch("GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
    const slow = watch("");
    const header = "GET / HTTP/1.1\r\nHost: t\r\nX-Slow: " + "a".repeat(100);
    let sent = 0;
    const trickle = setInterval(() => slow.socket.writable && slow.socket.write(header[sent++]!), 1000);
    try {
      // idleTimeout 2 s; Bun checks timeouts every 4 s or so.
      expect(await idle.closed).toBeLessThan(7000);
      // Bun's own limit on receiving a request's headers (about 10 s, checked on the same 4 s tick).
      expect(await slow.closed).toBeLessThan(16_000);
      expect(sent).toBeGreaterThan(5);
    } finally {
      clearInterval(trickle);
    }
    expect(await (await fetch(`${base}/still`)).text()).toBe("handler /still");
  }, 25_000);
});

describe("http:// requests in flight", () => {
  test("a request whose body is half-sent counts as a connection in /api/status until it is answered (the listener's inFlight)", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 1, handler: "./web.ts" }],
      files: { "web.ts": HANDLER },
    });
    const connections = async () => (await app.status()).processes.reduce((n, p) => n + p.connections, 0);
    const socket = net.connect(await app.port("web"), "127.0.0.1");
    socket.on("error", () => {});
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk));
    try {
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhello");
      // Workers report once a second: wait for the report that sees the request the handler is still reading.
      await app.waitFor(async () => (await connections()) === 1, 10_000, "1 connection in /api/status");
      socket.write("world");
      await app.waitFor(() => answer.includes("got 10"), 5000, "the answer to the whole body");
      await app.waitFor(async () => (await connections()) === 0, 10_000, "0 connections in /api/status once answered");
    } finally {
      socket.destroy();
    }
  });
});

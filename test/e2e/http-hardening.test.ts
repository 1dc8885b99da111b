// http:// against hostile and unusual clients, over raw sockets: bad Host, folder escapes, pipelining, chunked floods.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppUnderTest } from "../support/app-under-test.ts";
import { exchange, get } from "../support/raw-http.ts";

const HANDLER = `export default {
  fetch(request, server) {
    const url = new URL(request.url);
    if (url.pathname === "/upload") {
      console.log("upload handler ran");
      return request.arrayBuffer().then((b) => new Response("got " + b.byteLength + " from " + server.requestIP(request)?.address));
    }
    return new Response("handler " + url.pathname);
  },
};`;
const STATIC_ONLY = "export default {};";

describe("http:// hardening", () => {
  let app: AppUnderTest;
  let dir = "";
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wm-harden-"));
    const pub = join(dir, "public");
    mkdirSync(join(pub, ".git"), { recursive: true });
    mkdirSync(join(pub, "sub"));
    mkdirSync(join(dir, "outside"));
    writeFileSync(join(pub, "small.txt"), "tiny");
    writeFileSync(join(pub, "sub", "index.html"), "<p>sub</p>");
    writeFileSync(join(pub, ".env"), "SECRET=1");
    writeFileSync(join(pub, ".git", "config"), "[core]");
    writeFileSync(join(dir, "outside", "secret.txt"), "outside secret");
    symlinkSync(join(dir, "outside", "secret.txt"), join(pub, "leak.txt"));
    symlinkSync(join(dir, "outside"), join(pub, "leakdir"));
    symlinkSync(join(pub, "small.txt"), join(pub, "alias.txt"));
    app = await AppUnderTest.start({
      workers: [
        { name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts", static: pub, maxBodySize: 1000 },
        { name: "files", listen: "http://127.0.0.1:0", handler: "./files.ts", static: pub },
        { name: "api", listen: "http://127.0.0.1:0", handler: "./web.ts" },
        { name: "open", listen: "http://127.0.0.1:0", handler: "./files.ts", static: pub, staticDotfiles: true, staticOutsideSymlinks: true },
      ],
      files: { "web.ts": HANDLER, "files.ts": STATIC_ONLY },
    });
    for (const name of ["web", "files", "api", "open"]) ports[name] = await app.port(name);
  });
  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  const handlerErrors = async () => (await app.status()).processes.reduce((n, p) => n + p.handlerErrors, 0);
  const protocolErrors = async (group: string) => (await app.status()).processes.find((p) => p.group === group)!.protocolErrors;
  /** Waits for the worker's next stats report to count `more` client errors, so the counters read after it are current. */
  const countedClientErrors = async (group: string, before: number, more: number) =>
    app.waitFor(async () => (await protocolErrors(group)) >= before + more, 5000, `${more} client errors counted on ${group}`);

  test("a malformed or missing Host gets 400, not a 500 and a handler error", async () => {
    const before = { web: await protocolErrors("web"), files: await protocolErrors("files"), api: await protocolErrors("api") };
    for (const payload of ["GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "GET /small.txt HTTP/1.0\r\n\r\n", "GET /x HTTP/1.1\r\nHost: a/b\r\n\r\n"]) {
      // With a static folder, without one (the handler's new URL() throws), and with no handler at all.
      for (const group of ["web", "api", "files"]) {
        const { responses } = await exchange(ports[group]!, payload);
        expect(responses[0]?.status).toBe(400);
      }
    }
    // A well-formed request on the same group is still served, and nothing was stored or logged as a handler error.
    expect((await exchange(ports.web!, get("/x"))).responses[0]?.body).toBe("handler /x");
    await countedClientErrors("web", before.web, 3);
    await countedClientErrors("files", before.files, 3);
    await countedClientErrors("api", before.api, 3);
    expect(await handlerErrors()).toBe(0);
    expect(app.output.some((line) => line.includes("threw"))).toBe(false);
  });

  test("dotfiles and symlinks out of the folder are refused (404) unless allowed; links inside are served", async () => {
    for (const path of ["/.env", "/.git/config", "/leak.txt", "/leakdir/secret.txt", "/%2eenv", "/sub/../.env", "/../outside/secret.txt"]) {
      const { responses } = await exchange(ports.files!, get(path));
      expect({ path, status: responses[0]?.status }).toEqual({ path, status: 404 });
      expect(responses[0]?.body).not.toContain("SECRET");
    }
    // On a group with a handler the refused paths fall through to it, like any other path that is not a file.
    expect((await exchange(ports.web!, get("/.env"))).responses[0]?.body).toBe("handler /.env");
    expect((await exchange(ports.files!, get("/alias.txt"))).responses[0]?.body).toBe("tiny");
    expect((await exchange(ports.files!, get("/sub/"))).responses[0]?.body).toBe("<p>sub</p>");
    // Each refusal has its own explicit option.
    expect((await exchange(ports.open!, get("/.env"))).responses[0]?.body).toBe("SECRET=1");
    expect((await exchange(ports.open!, get("/.git/config"))).responses[0]?.body).toBe("[core]");
    expect((await exchange(ports.open!, get("/leak.txt"))).responses[0]?.body).toBe("outside secret");
    expect((await exchange(ports.open!, get("/leakdir/secret.txt"))).responses[0]?.body).toBe("outside secret");
  });

  test("pipelined requests (static hit, static miss to fetch, fetch) are all answered, in order", async () => {
    const paths = Array.from({ length: 60 }, (_, i) => ["/small.txt", `/miss-${i}`, "/sub/", `/api/${i}`][i % 4]!);
    const { responses, closed } = await exchange(ports.web!, paths.map((p) => get(p)).join(""), paths.length);
    expect(closed).toBe(false);
    const expected = paths.map((p) => (p === "/small.txt" ? "tiny" : p === "/sub/" ? "<p>sub</p>" : `handler ${p}`));
    expect(responses.map((r) => r.body)).toEqual(expected);
    // A static-only group pipelines too, misses included.
    const statics = await exchange(ports.files!, get("/small.txt") + get("/nope") + get("/small.txt"), 3);
    expect(statics.responses.map((r) => r.status)).toEqual([200, 404, 200]);
  });

  test("a chunked body over maxBodySize gets 413 and the handler never runs; one under it arrives whole", async () => {
    const chunk = (n: number) => `${n.toString(16)}\r\n${"x".repeat(n)}\r\n`;
    const before = await protocolErrors("web");
    const head = "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    const big = await exchange(ports.web!, head + chunk(600) + chunk(600) + "0\r\n\r\n");
    expect(big.responses[0]?.status).toBe(413);
    const small = await exchange(ports.web!, head + chunk(300) + chunk(300) + "0\r\n\r\n");
    expect(small.responses[0]?.body).toBe("got 600 from 127.0.0.1");
    await countedClientErrors("web", before, 1);
    expect(app.output.filter((line) => line.includes("upload handler ran")).length).toBe(1);
    expect(await handlerErrors()).toBe(0);
  });
});

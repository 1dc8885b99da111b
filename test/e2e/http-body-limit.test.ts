// maxBodySize end to end where Bun calls our code: function routes and websocket:// groups' plain HTTP refuse, count and log; static routes read no body.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AppUnderTest } from "../support/app-under-test.ts";
import { exchange } from "../support/raw-http.ts";

const LIMIT = 1000;
const HANDLER = `export default {
  routes: {
    "/native": new Response("native"),
    "/upload": { POST: async (request) => { console.log("route ran"); return new Response("route got " + (await request.arrayBuffer()).byteLength); } },
  },
  async fetch(request) { console.log("fetch ran"); return new Response("fetch got " + (await request.arrayBuffer()).byteLength); },
};`;

const WS_HANDLER = `export default {
  onMessage(conn, data) { conn.send(data); },
  async fetch(request) { console.log("fetch ran"); return new Response("fetch got " + (await request.arrayBuffer()).byteLength); },
};`;

const post = (path: string, length: number, body = "x".repeat(length)) => `POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Length: ${length}\r\n\r\n${body}`;
const chunked = (path: string, ...sizes: number[]) =>
  `POST ${path} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n` +
  sizes.map((n) => `${n.toString(16)}\r\n${"x".repeat(n)}\r\n`).join("") +
  "0\r\n\r\n";

describe("maxBodySize outside the fetch path", () => {
  let app: AppUnderTest;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [
        { name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts", maxBodySize: LIMIT },
        { name: "ws", listen: "websocket://127.0.0.1:0", handler: "./ws.ts", maxBodySize: LIMIT },
      ],
      files: { "web.ts": HANDLER, "ws.ts": WS_HANDLER },
    });
    for (const group of ["web", "ws"]) ports[group] = await app.port(group);
  });
  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
  });

  const refusals = (group: string) => app.output.filter((line) => line.startsWith(`[${group}#`) && line.includes("closing http connection from "));
  /** Each refusal is one log line and one protocol error; waiting for both to reach `n` also waits for the stats report. */
  const countedAndLogged = (group: string, n: number) =>
    app.waitFor(
      async () => refusals(group).length === n && (await app.status()).processes.find((p) => p.group === group)!.protocolErrors === n,
      5000,
      `${n} refusals counted and logged on ${group}`,
    );
  const ran = (what: string) => app.output.filter((line) => line.endsWith(what)).length;

  test("a function route: a Content-Length or a chunked body over maxBodySize gets 413 and a close, counted and logged", async () => {
    const routeRuns = ran("route ran");
    for (const payload of [post("/upload", LIMIT + 1), chunked("/upload", 600, 600)]) {
      // Waiting for a second response that never comes: the exchange ends at the close.
      const { responses, closed } = await exchange(ports.web!, payload, 2);
      expect(responses[0]?.status).toBe(413);
      expect(responses[0]?.headers.connection).toBe("close");
      expect(closed).toBe(true);
    }
    await countedAndLogged("web", 2);
    expect(refusals("web")[0]).toContain(`Content-Length ${LIMIT + 1} is over maxBodySize ${LIMIT} (answered 413)`);
    expect(refusals("web")[1]).toContain(`a chunked body is over maxBodySize ${LIMIT} (answered 413)`);
    expect(ran("route ran")).toBe(routeRuns);
    // At the limit both reach the route whole.
    expect((await exchange(ports.web!, post("/upload", LIMIT))).responses[0]?.body).toBe(`route got ${LIMIT}`);
    expect((await exchange(ports.web!, chunked("/upload", 500, 500))).responses[0]?.body).toBe(`route got ${LIMIT}`);
  });

  test("websocket:// plain HTTP: a Content-Length over maxBodySize gets 413 before fetch runs, counted and logged", async () => {
    const fetchRuns = ran("fetch ran");
    const { responses, closed } = await exchange(ports.ws!, post("/x", LIMIT + 1), 2);
    expect(responses[0]?.status).toBe(413);
    expect(closed).toBe(true);
    await countedAndLogged("ws", 1);
    expect(ran("fetch ran")).toBe(fetchRuns);
    expect((await exchange(ports.ws!, post("/x", LIMIT))).responses[0]?.body).toBe(`fetch got ${LIMIT}`);
  });

  test("a static route answers without reading the body (nothing held, nothing to count), as Bun always did", async () => {
    // 1 GB announced, none sent: Bun answers the native Response at once and would drop the bytes if they came.
    const { responses } = await exchange(ports.web!, post("/native", 1_000_000_000, ""));
    expect(responses[0]?.status).toBe(200);
    expect(responses[0]?.body).toBe("native");
  });
});

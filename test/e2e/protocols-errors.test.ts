// Bad bytes on a framed connection: the valid packets before them are delivered, onError may answer, then it closes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AppUnderTest } from "../support/app-under-test.ts";
import { frame, streamClient } from "../support/clients.ts";
import { within } from "../support/wait.ts";

// The handler echoes each message and, on a protocol error, sends one last reply naming the error's code.
const HANDLER = `export default {
  onMessage(conn, m) { conn.send(typeof m === "object" && !(m instanceof Uint8Array) ? { echo: m } : "ok " + String(m)); },
  onError(conn, err) { if (conn) conn.send(conn.protocol === "json" ? { error: err.code } : "error " + err.code); },
};`;
// A line protocol that refuses (-1) any packet starting with "!".
// Pauses reading at "pause" and resumes 100 ms later: the messages held meanwhile still come before the error.
const PAUSING = `export default {
  onMessage(conn, m) { conn.send("ok " + m); if (m === "pause") { conn.pauseRecv(); setTimeout(() => conn.resumeRecv(), 100); } },
  onError(conn, err) { if (conn) conn.send("error " + err.code); },
};`;
// Counts each error code it is told of in worker.metrics (a WebSocket closed by Bun can take no last reply).
const WS_COUNTING = `export default { onError(conn, err) { if (conn) conn.worker.metrics.inc("onError " + err.code); } };`;
const UPGRADE =
  "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
const BANG = `export function input(b) { if (b[0] === 33) return -1; const i = b.indexOf(10); return i < 0 ? 0 : i + 1; }
export function decode(p) { return new TextDecoder().decode(p).trim(); }
export function encode(m) { return m + "\\n"; }`;

/** Writes `bytes` in one write and returns what the server sent until it closed the connection. */
async function sendAndCollect(port: number, bytes: Uint8Array | string): Promise<string> {
  const client = await streamClient({ port });
  client.write(bytes);
  await within(client.closed, 5000, () => `the server to close the connection; got ${client.received()}`);
  return client.received().toString();
}

describe("a malformed packet after valid ones in the same read", () => {
  let app: AppUnderTest;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [
        { name: "text", listen: "text://127.0.0.1:0", handler: "./h.ts", maxPackageSize: 4096 },
        { name: "frame", listen: "frame://127.0.0.1:0", handler: "./h.ts" },
        { name: "json", listen: "tcp://127.0.0.1:0", protocol: "json", handler: "./h.ts" },
        { name: "bang", listen: "tcp://127.0.0.1:0", protocol: "./bang.ts", handler: "./h.ts" },
        { name: "paused", listen: "text://127.0.0.1:0", handler: "./p.ts", maxPackageSize: 64 },
        { name: "ws", listen: "websocket://127.0.0.1:0", handler: "./w.ts" },
      ],
      files: { "h.ts": HANDLER, "bang.ts": BANG, "p.ts": PAUSING, "w.ts": WS_COUNTING },
    });
    for (const group of ["text", "frame", "json", "bang", "paused", "ws"]) ports[group] = await app.port(group);
  });
  afterAll(() => app?.[Symbol.asyncDispose]());

  test("text: both lines are answered, then onError's reply (E_PACKAGE_TOO_BIG), then the close", async () => {
    const got = await sendAndCollect(ports.text!, `a\nb\n${"x".repeat(10_000)}`);
    expect(got).toBe("ok a\nok b\nerror E_PACKAGE_TOO_BIG\n");
  });

  test("frame: two frames are answered before a frame whose length is impossible", async () => {
    const bytes = Buffer.concat([frame("one"), frame("two"), Buffer.from([0, 0, 0, 2, 9, 9])]);
    const got = Buffer.from(await sendAndCollect(ports.frame!, bytes));
    const bodies: string[] = [];
    for (let at = 0; at + 4 <= got.length; at += got.readUInt32BE(at)) bodies.push(got.subarray(at + 4, at + got.readUInt32BE(at)).toString());
    expect(bodies).toEqual(["ok one", "ok two", "error E_PROTOCOL"]);
  });

  test("json: valid lines before one that is not JSON are answered, then the error", async () => {
    const got = await sendAndCollect(ports.json!, '{"a":1}\n[2]\nbroken\n{"never":true}\n');
    expect(
      got
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    ).toEqual([{ echo: { a: 1 } }, { echo: [2] }, { error: "E_PROTOCOL" }]);
  });

  test("custom protocol: input's -1 comes after the packets before it are delivered", async () => {
    const got = await sendAndCollect(ports.bang!, "first\nsecond\n!refused\nlater\n");
    expect(got).toBe("ok first\nok second\nerror E_PROTOCOL\n");
  });

  test("paused by the handler: the messages held while paused are delivered on resume, then the error, then the close", async () => {
    const got = await sendAndCollect(ports.paused!, `pause\nheld 1\nheld 2\n${"x".repeat(100)}`);
    expect(got).toBe("ok pause\nok held 1\nok held 2\nerror E_PACKAGE_TOO_BIG\n");
  });

  test("websocket: a frame Bun refuses (unmasked) reaches onError as E_PROTOCOL before the close", async () => {
    await sendAndCollect(ports.ws!, Buffer.concat([Buffer.from(UPGRADE), Buffer.from([0x81, 0x02, 0x68, 0x69])]));
    const metrics = await app.waitFor(
      async () => (await app.status()).processes.find((p) => p.group === "ws")!.metrics?.["onError E_PROTOCOL"],
      5000,
      "onError on the websocket group",
    );
    expect(metrics).toBe(1);
  });

  test("each error is counted once and no worker restarted", async () => {
    const groups = ["text", "frame", "json", "bang"];
    // Counters reach the master with the next report: wait for them, then check none went past 1.
    const status = await app.waitFor(
      async () => {
        const s = await app.status();
        return groups.every((g) => s.processes.find((p) => p.group === g)!.protocolErrors >= 1) && s;
      },
      5000,
      "protocol error counters",
    );
    for (const group of groups) {
      const proc = status.processes.find((p) => p.group === group)!;
      expect([group, proc.protocolErrors, proc.restarts]).toEqual([group, 1, 0]);
    }
  });
});

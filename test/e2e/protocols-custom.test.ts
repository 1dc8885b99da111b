// A custom protocol module on tcp:// end to end: fragmented and coalesced packets, oversize, and a protocol that throws.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { AppUnderTest, REPO } from "../support/app-under-test.ts";
import { streamClient } from "../support/clients.ts";

const examples = join(REPO, "examples");

/** What the example protocol puts on the wire for `text`. */
function packet(text: string): Buffer {
  const body = Buffer.from(text);
  return Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);
}

/** The bodies of the complete packets in `bytes`. */
function bodies(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at + 2 <= bytes.length; ) {
    const end = at + 2 + bytes.readUInt16BE(at);
    if (end > bytes.length) break;
    out.push(bytes.subarray(at + 2, end).toString());
    at = end;
  }
  return out;
}

// Throws in input() when a packet starts with "!", and in decode() when it says "boom".
const THROWING = `export function input(b) { if (b[0] === 33) throw new Error("input refuses '!'"); const i = b.indexOf(10); return i < 0 ? 0 : i + 1; }
export function decode(p) { const s = new TextDecoder().decode(p).trim(); if (s === "boom") throw new Error("decode refuses boom"); return s; }
export function encode(m) { return m + "\\n"; }`;

describe("custom protocol module on tcp://", () => {
  let app: AppUnderTest;
  let port = 0;
  let throwingPort = 0;

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [
        {
          name: "lp",
          listen: "tcp://127.0.0.1:0",
          protocol: join(examples, "length-prefix-protocol.ts"),
          handler: join(examples, "length-prefix-echo.ts"),
          maxPackageSize: 1000,
        },
        { name: "throwing", listen: "tcp://127.0.0.1:0", protocol: "./throwing.ts", handler: "./echo.ts" },
      ],
      files: { "throwing.ts": THROWING, "echo.ts": `export default { onMessage(conn, m) { conn.send("ok " + m); } };` },
    });
    port = await app.port("lp");
    throwingPort = await app.port("throwing");
  });
  afterAll(() => app?.[Symbol.asyncDispose]());

  const errors = async (group: string) => (await app.status()).processes.find((p) => p.group === group)!.protocolErrors;

  test("a packet written one byte at a time is decoded once it is whole", async () => {
    const client = await streamClient({ port });
    for (const byte of packet("héllo, world")) {
      client.write(Uint8Array.of(byte));
      await Bun.sleep(2); // deliberate: one byte per read is the point of this test
    }
    await client.until(() => bodies(client.received()).length === 1);
    expect(bodies(client.received())).toEqual(["HÉLLO, WORLD"]);
    client.socket.end();
  });

  test("three packets in one write give three replies, in order", async () => {
    const client = await streamClient({ port });
    client.write(Buffer.concat([packet("one"), packet(""), packet("three")]));
    await client.until(() => bodies(client.received()).length === 3);
    expect(bodies(client.received())).toEqual(["ONE", "", "THREE"]);
    client.socket.end();
  });

  test("a packet over maxPackageSize closes that connection and is counted; others carry on", async () => {
    const before = await errors("lp");
    const bystander = await streamClient({ port });
    const client = await streamClient({ port });
    client.write(Buffer.from([0x03, 0xe8])); // announces 1000 bytes: 1002 > maxPackageSize 1000
    await client.closed;
    await app.waitFor(async () => (await errors("lp")) === before + 1, 3000, "protocolErrors + 1");
    bystander.write(packet("still here"));
    await bystander.until(() => bodies(bystander.received()).length === 1);
    expect(bodies(bystander.received())).toEqual(["STILL HERE"]);
    bystander.socket.end();
  });

  test("a protocol that throws in input or decode closes only that connection; the worker keeps serving", async () => {
    const pid = (await app.pids("throwing"))[0];
    const bystander = await streamClient({ port: throwingPort });
    for (const bad of ["!bang\n", "boom\n"]) {
      const client = await streamClient({ port: throwingPort });
      client.write("fine\n");
      await client.until((t) => t.includes("\n"));
      client.write(bad);
      await client.closed;
      expect(client.received().toString()).toBe("ok fine\n");
    }
    await app.waitFor(async () => (await errors("throwing")) === 2, 3000, "two protocol errors");
    expect(app.output.join("\n")).toMatch(/input refuses '!'/);
    bystander.write("alive\n");
    expect(await bystander.until((t) => t.includes("\n"))).toBe("ok alive\n");
    expect(await app.pids("throwing")).toEqual([pid!]);
    expect((await app.status()).processes.every((p) => p.restarts === 0 && p.handlerErrors === 0)).toBe(true);
    bystander.socket.end();
  });
});

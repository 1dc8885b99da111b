// The frame protocol: the common suite plus header edge cases and binary bodies.
import { describe, expect, test } from "bun:test";
import { frameProtocol } from "../../src/protocols/frame.ts";
import { PacketReader } from "../../src/protocols/packet-reader.ts";
import { connection, runProtocolSuite } from "./common.case.ts";

const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);

runProtocolSuite("frame", {
  protocol: frameProtocol,
  samples: [
    { message: "hello", decoded: Buffer.from("hello") },
    { message: "", decoded: Buffer.alloc(0) },
    { message: "line\nwith\nnewlines", decoded: Buffer.from("line\nwith\nnewlines") },
    { message: "ünïcode ✓", decoded: Buffer.from("ünïcode ✓") },
    { message: allBytes, decoded: Buffer.from(allBytes) },
  ],
  probes: [new Uint8Array([0, 0, 0, 9, 1, 2])],
});

const header = (total: number, ...body: number[]) => new Uint8Array([total >>> 24, (total >>> 16) & 255, (total >>> 8) & 255, total & 255, ...body]);

describe("frame protocol", () => {
  const conn = connection(1024);

  test("input waits for the 4-byte header, then for the whole frame", () => {
    expect(frameProtocol.input(new Uint8Array([0, 0, 0]), conn)).toBe(0);
    expect(frameProtocol.input(header(7, 1, 2), conn)).toBe(0);
    expect(frameProtocol.input(header(7, 1, 2, 3), conn)).toBe(7);
    expect(frameProtocol.input(header(6, 1, 2, 3), conn)).toBe(6);
  });

  test("a total length below 4 can never be valid: -1", () => {
    for (const total of [0, 1, 2, 3]) expect(frameProtocol.input(header(total, 9, 9, 9, 9), conn)).toBe(-1);
  });

  test("a frame of exactly 4 bytes carries an empty body", () => {
    expect(frameProtocol.input(header(4), conn)).toBe(4);
    const body = frameProtocol.decode(header(4), conn);
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(body.length).toBe(0);
  });

  test("a frame over maxPackageSize is announced at once, before its body arrives", () => {
    expect(frameProtocol.input(header(1025), conn)).toBe(1025);
    expect(frameProtocol.input(header(0xffffffff), conn)).toBe(0xffffffff);
    const reader = new PacketReader(frameProtocol, conn);
    expect(() => reader.push(header(1025))).toThrow(expect.objectContaining({ code: "E_PACKAGE_TOO_BIG" }));
  });

  test("encode writes the big-endian total length, header included", () => {
    expect([...frameProtocol.encode("abc")]).toEqual([0, 0, 0, 7, 0x61, 0x62, 0x63]);
    expect([...frameProtocol.encode(new Uint8Array(300))].slice(0, 4)).toEqual([0, 0, 1, 0x30]);
  });

  test("binary bodies stay intact and decode copies them out of the read buffer", () => {
    const packet = frameProtocol.encode(allBytes);
    const body = frameProtocol.decode(packet, conn);
    expect([...body]).toEqual([...allBytes]);
    packet.fill(0);
    expect([...body]).toEqual([...allBytes]);
    expect(body.toString("hex").slice(0, 8)).toBe("00010203");
  });

  test("decode gives text back through toString()", () => {
    expect(frameProtocol.decode(frameProtocol.encode("héllo"), conn).toString()).toBe("héllo");
  });
});

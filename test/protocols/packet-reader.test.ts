// PacketReader: size limits, misbehaving protocols, copying rules and the scan hint.
import { describe, expect, test } from "bun:test";
import { AppError } from "../../src/errors.ts";
import { frameProtocol } from "../../src/protocols/frame.ts";
import { PacketReader } from "../../src/protocols/packet-reader.ts";
import type { Protocol } from "../../src/protocols/protocol.ts";
import { textProtocol } from "../../src/protocols/text.ts";
import { connection, toBytes } from "./common.case.ts";

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error("expected the reader to throw");
}

/** Decodes to the packet's own bytes (a view), as a careless user protocol might. */
const viewLines: Protocol<Uint8Array> = {
  input: (buffer) => buffer.indexOf(0x0a) + 1,
  decode: (packet) => packet,
  encode: (message) => message,
};

const answering = (value: unknown): Protocol<string> => ({
  input: () => value as number,
  decode: () => "never",
  encode: String,
});

describe("PacketReader limits", () => {
  test("a packet of exactly maxPackageSize passes; one byte more is E_PACKAGE_TOO_BIG", () => {
    const ok = new PacketReader(textProtocol, connection(8));
    expect(ok.push(toBytes("1234567\n"))).toEqual(["1234567"]);
    const err = failure(() => new PacketReader(textProtocol, connection(8)).push(toBytes("12345678\n")));
    expect(err.code).toBe("E_PACKAGE_TOO_BIG");
    expect(err.message).toContain("9 bytes");
  });

  test("holding more than maxPackageSize without a complete packet is E_PACKAGE_TOO_BIG", () => {
    const reader = new PacketReader(textProtocol, connection(8));
    expect(reader.push(toBytes("1234"))).toEqual([]);
    expect(reader.push(toBytes("5678"))).toEqual([]);
    expect(reader.buffered).toBe(8);
    expect(failure(() => reader.push(toBytes("9"))).code).toBe("E_PACKAGE_TOO_BIG");
  });

  test("after a failure the reader keeps failing with the same error and holds nothing", () => {
    const reader = new PacketReader(textProtocol, connection(4));
    const first = failure(() => reader.push(toBytes("toolong")));
    expect(reader.buffered).toBe(0);
    expect(failure(() => reader.push(toBytes("ok\n")))).toBe(first);
  });
});

describe("PacketReader with a misbehaving protocol", () => {
  test.each([
    ["-1", -1, "refused"],
    ["-2", -2, "returned -2"],
    ["a fraction", 1.5, "returned 1.5"],
    ["NaN", Number.NaN, "returned NaN"],
    ["a string", "3", 'the string "3"'],
    ["undefined", undefined, "undefined"],
    ["a bigint", 3n, "bigint 3"],
  ])("input returning %s is E_PROTOCOL", (_, value, text) => {
    const err = failure(() => new PacketReader(answering(value), connection()).push(toBytes("abc")));
    expect(err.code).toBe("E_PROTOCOL");
    expect(err.message).toContain(text);
  });

  test("input or decode throwing is E_PROTOCOL with the original error as cause", () => {
    const boom = new TypeError("boom");
    const throwsIn = (stage: "input" | "decode"): Protocol<string> => ({
      input: () => {
        if (stage === "input") throw boom;
        return 1;
      },
      decode: () => {
        throw boom;
      },
      encode: String,
    });
    for (const stage of ["input", "decode"] as const) {
      const err = failure(() => new PacketReader(throwsIn(stage), connection()).push(toBytes("x")));
      expect(err.code).toBe("E_PROTOCOL");
      expect(err.message).toBe(`protocol ${stage} failed: boom`);
      expect(err.cause).toBe(boom);
    }
  });

  test("a length announced before the packet is complete waits for it (Workerman style)", () => {
    const early: Protocol<string> = {
      input: (b) => (b.length < 1 ? 0 : b[0]!),
      decode: (p) => Buffer.from(p.subarray(1)).toString(),
      encode: String,
    };
    const reader = new PacketReader(early, connection());
    expect(reader.push(new Uint8Array([6, 0x61, 0x62]))).toEqual([]);
    expect(reader.buffered).toBe(3);
    expect(reader.push(new Uint8Array([0x63, 0x64]))).toEqual([]);
    expect(reader.push(new Uint8Array([0x65, 2, 0x7a]))).toEqual(["abcde", "z"]);
    expect(reader.buffered).toBe(0);
    const small = new PacketReader(early, connection(10));
    expect(failure(() => small.push(new Uint8Array([11]))).code).toBe("E_PACKAGE_TOO_BIG");
  });
});

describe("PacketReader copying", () => {
  test("with no tail, packets are views of the caller's chunk (no copy)", () => {
    const chunk = toBytes("a\nb\n");
    const out = new PacketReader(viewLines, connection()).push(chunk);
    expect(out.map((p) => p.buffer === chunk.buffer)).toEqual([true, true]);
  });

  test("the kept tail is a copy: the caller may reuse its chunk", () => {
    const reader = new PacketReader(textProtocol, connection());
    const chunk = toBytes("one\ntw");
    expect(reader.push(chunk)).toEqual(["one"]);
    chunk.fill(0x21);
    expect(reader.push(toBytes("o\n"))).toEqual(["two"]);
  });

  test("bytes already decoded are never overwritten by later chunks", () => {
    const reader = new PacketReader(viewLines, connection());
    const seen: Uint8Array[] = [];
    seen.push(...reader.push(toBytes("aa\nb")));
    for (const part of ["b\nc", "c\nd", "d\n", "ee\nff\ng"]) seen.push(...reader.push(toBytes(part)));
    expect(seen.map((p) => Buffer.from(p).toString())).toEqual(["aa\n", "bb\n", "cc\n", "dd\n", "ee\n", "ff\n"]);
  });

  test("a frame split in many chunks arrives intact", () => {
    const body = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 31) % 256);
    const packet = frameProtocol.encode(body);
    const reader = new PacketReader(frameProtocol, connection());
    const out: Buffer[] = [];
    for (let at = 0; at < packet.length; at += 1000) out.push(...reader.push(packet.subarray(at, at + 1000)));
    expect(out.length).toBe(1);
    expect(Buffer.compare(out[0]!, Buffer.from(body))).toBe(0);
  });
});

describe("PacketReader freeing", () => {
  /** A ranged protocol that breaks its contract: its decode returns a view, so a freed buffer shows as detached. */
  const rangedViews = { ...textProtocol, decodeRange: (b: Uint8Array, start: number, end: number) => b.subarray(start, end) };
  const long = (n: number, tail = "") => toBytes(`${"x".repeat(n)}${tail}`);

  test("a ranged protocol's reader frees the kept buffers it outgrows, trims or drops, at once", () => {
    const reader = new PacketReader(rangedViews, connection(1 << 24));
    reader.push(long(70_000));
    // Outgrown on this push, the 70,000-byte copy is freed; the line is a view of its successor, which the 1-byte
    // tail then trims away: freed too.
    const [line] = reader.push(toBytes("\ny")) as unknown as Uint8Array[];
    expect([line!.byteLength, reader.buffered]).toEqual([0, 1]);
    expect(reader.freesBuffers).toBe(true);
    reader.push(long(100_000));
    expect(reader.held).toBeGreaterThan(100_000);
    reader.clear();
    expect(reader.held).toBe(0);
  });

  test("a plain protocol's reader frees nothing: its decode may return views, and they stay whole", () => {
    const reader = new PacketReader(viewLines, connection(1 << 24));
    reader.push(long(70_000));
    const [line] = reader.push(toBytes("\ny"));
    reader.push(long(100_000));
    reader.clear();
    expect([line!.byteLength, line![69_999], reader.freesBuffers]).toEqual([70_001, 0x78, false]);
  });

  test("the built-in protocols' messages own their bytes: a freed buffer leaves them whole", () => {
    const reader = new PacketReader(frameProtocol, connection(1 << 24));
    const frame = Buffer.alloc(100_004, 0x61);
    frame.writeUInt32BE(100_004, 0);
    reader.push(frame.subarray(0, 70_000));
    const [message] = reader.push(Buffer.concat([frame.subarray(70_000), toBytes("\0")]));
    reader.clear();
    expect([message!.byteLength, message![99_999]]).toEqual([100_000, 0x61]);
  });
});

describe("PacketReader scan hint", () => {
  test("a long line is scanned once: each input call starts where the previous one stopped", () => {
    const starts: number[] = [];
    const spy = {
      ...textProtocol,
      inputRange: (b: Uint8Array, start: number, c: never, seen: number) => {
        starts.push(seen);
        return textProtocol.inputRange(b, start, c, seen);
      },
    };
    const reader = new PacketReader(spy, connection());
    for (let i = 0; i < 4; i++) reader.push(toBytes("x".repeat(100)));
    expect(reader.push(toBytes("\nok\n"))).toEqual(["x".repeat(400), "ok"]);
    expect(starts).toEqual([0, 100, 200, 300, 400, 0]);
  });
});

// The text protocol: the common suite plus line-ending and encoding edge cases.
import { describe, expect, test } from "bun:test";
import { textProtocol } from "../../src/protocols/text.ts";
import { PacketReader } from "../../src/protocols/packet-reader.ts";
import { connection, runProtocolSuite, toBytes } from "./common.case.ts";

runProtocolSuite("text", {
  protocol: textProtocol,
  samples: [
    { message: "hello", decoded: "hello" },
    { message: "", decoded: "" },
    { message: "héllo wörld ✓ 🚀", decoded: "héllo wörld ✓ 🚀" },
    // Longer than the bytes input scans by a loop before handing over to indexOf: cut at every byte, multi-byte ones too.
    { message: `${"ü→".repeat(20)}🚀 end`, decoded: `${"ü→".repeat(20)}🚀 end` },
    { message: "a\rb", decoded: "a\rb" },
    { message: 42, decoded: "42" },
    { message: new Uint8Array([0x68, 0x69]), decoded: "hi" },
  ],
  probes: [toBytes("no newline at all")],
});

describe("text protocol", () => {
  const conn = connection();

  test("input is the index of the first newline plus one", () => {
    expect(textProtocol.input(toBytes("ab\ncd\n"), conn)).toBe(3);
    expect(textProtocol.input(toBytes("\n"), conn)).toBe(1);
    expect(textProtocol.input(toBytes("abc"), conn)).toBe(0);
    expect(textProtocol.input(new Uint8Array(0), conn)).toBe(0);
  });

  test("input finds the first newline at every position, before and after where its byte loop hands over to indexOf", () => {
    for (const length of [0, 1, 2, 63, 64, 65, 66, 127, 128, 129, 200]) {
      for (let at = -1; at < length; at++) {
        const bytes = new Uint8Array(length).fill(0x61);
        if (at >= 0) bytes[at] = 0x0a;
        if (at >= 0 && at + 5 < length) bytes[at + 5] = 0x0a; // a second newline after it must not be the answer
        for (const buffer of [bytes, Buffer.from(bytes)]) {
          for (const start of [0, 3]) {
            for (const seen of [0, 1, 70]) {
              if (start + seen > length) continue;
              // The oracle: indexOf alone, as input was before the loop.
              const end = Buffer.from(buffer).indexOf(0x0a, start + seen);
              expect(textProtocol.inputRange(buffer, start, conn, seen)).toBe(end === -1 ? 0 : end - start + 1);
            }
          }
        }
      }
    }
  });

  test("decode drops the newline and a carriage return before it, nothing else", () => {
    expect(textProtocol.decode(toBytes("line\r\n"), conn)).toBe("line");
    expect(textProtocol.decode(toBytes("\n"), conn)).toBe("");
    expect(textProtocol.decode(toBytes("\r\n"), conn)).toBe("");
    expect(textProtocol.decode(toBytes("a\r\r\n"), conn)).toBe("a\r");
    expect(textProtocol.decode(toBytes("  spaced  \n"), conn)).toBe("  spaced  ");
  });

  test("decode gives the same text from a Buffer and from a plain Uint8Array", () => {
    const bytes = toBytes("ünïcode\r\n");
    expect(textProtocol.decode(Buffer.from(bytes), conn)).toBe("ünïcode");
    expect(textProtocol.decode(new Uint8Array(bytes), conn)).toBe("ünïcode");
  });

  test("invalid UTF-8 becomes U+FFFD instead of failing", () => {
    expect(textProtocol.decode(new Uint8Array([0x61, 0xff, 0x0a]), conn)).toBe("a\uFFFD");
  });

  test("encode appends one newline to strings, bytes and other values", () => {
    expect(textProtocol.encode("hi")).toBe("hi\n");
    expect([...toBytes(textProtocol.encode(new Uint8Array([1, 2])))]).toEqual([1, 2, 0x0a]);
    expect(textProtocol.encode(null)).toBe("null\n");
  });

  test("CRLF lines split across chunks, even between \\r and \\n", () => {
    const reader = new PacketReader(textProtocol, connection());
    expect(reader.push(toBytes("one\r"))).toEqual([]);
    expect(reader.push(toBytes("\ntwo\r\nthr"))).toEqual(["one", "two"]);
    expect(reader.buffered).toBe(3);
    expect(reader.push(toBytes("ee\n"))).toEqual(["three"]);
  });

  test("an empty line, a line of exactly one packet per chunk and a line split at every byte all decode alike", () => {
    const line = toBytes("ünï → 🚀\r\n");
    expect(new PacketReader(textProtocol, connection()).push(Buffer.from(toBytes("\n")))).toEqual([""]);
    expect(new PacketReader(textProtocol, connection()).push(Buffer.from(line))).toEqual(["ünï → 🚀"]);
    for (let cut = 1; cut < line.length; cut++) {
      const reader = new PacketReader(textProtocol, connection());
      expect(reader.push(Buffer.from(line.subarray(0, cut)))).toEqual([]);
      expect(reader.push(Buffer.from(line.subarray(cut)))).toEqual(["ünï → 🚀"]);
      expect(reader.buffered).toBe(0);
    }
  });

  test("a long line arriving in many chunks decodes whole", () => {
    const reader = new PacketReader(textProtocol, connection());
    const piece = "x".repeat(1000);
    for (let i = 0; i < 300; i++) expect(reader.push(toBytes(piece))).toEqual([]);
    expect(reader.buffered).toBe(300_000);
    expect(reader.push(toBytes("!\nnext\n"))).toEqual([`${piece.repeat(300)}!`, "next"]);
  });
});

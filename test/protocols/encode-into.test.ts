// encodeInto, the built-in protocols' way to encode into the reply batch: the same bytes as encode, or -1 and nothing written.
import { describe, expect, test } from "bun:test";
import { encodeIntoOf } from "../../src/protocols/encode-into.ts";
import { frameProtocol } from "../../src/protocols/frame.ts";
import { jsonProtocol } from "../../src/protocols/json.ts";
import type { Protocol } from "../../src/protocols/protocol.ts";
import { textProtocol } from "../../src/protocols/text.ts";
import { connection, plain, toBytes } from "./common.case.ts";

const MESSAGES: [string, unknown][] = [
  ["ascii", "hello world 0123"],
  ["empty", ""],
  ["multi-byte UTF-8", "héllo → 世界 🎉"],
  ["a lone surrogate (3 bytes of U+FFFD)", "a\ud800b"],
  ["bytes", new Uint8Array([0, 1, 2, 0xff, 0x0a])],
  ["a number", 12345],
];
const PROTOCOLS: [string, Protocol<unknown>, typeof MESSAGES][] = [
  ["text", textProtocol as Protocol<unknown>, MESSAGES],
  ["frame", frameProtocol as Protocol<unknown>, MESSAGES],
  [
    "json",
    jsonProtocol,
    [
      ["an object", { id: 1, text: "世界" }],
      ["a string", "a\nb"],
      ["null", null],
    ],
  ],
];

describe.each(PROTOCOLS)("%s", (_name, protocol, messages) => {
  const encodeInto = encodeIntoOf(protocol)!;

  test.each(messages)("%s: the same bytes as encode, at the offset given, with room to spare or exactly enough", (_, message) => {
    const expected = toBytes(protocol.encode(message, connection()));
    for (const room of [expected.length + 100, expected.length]) {
      const out = Buffer.alloc(expected.length + 110, 0xee);
      expect(encodeInto(message, out, 7, room)).toBe(expected.length);
      expect([...out.subarray(7, 7 + expected.length)]).toEqual([...expected]);
      // Nothing written outside what it reported.
      expect(out[6]).toBe(0xee);
      expect(out[7 + expected.length]).toBe(0xee);
    }
  });

  test.each(messages)("%s: one byte short of room is -1 and nothing is written", (_, message) => {
    const expected = toBytes(protocol.encode(message, connection()));
    const out = Buffer.alloc(expected.length + 10, 0xee);
    expect(encodeInto(message, out, 3, expected.length - 1)).toBe(-1);
    expect(out.every((byte) => byte === 0xee)).toBe(true);
  });
});

test("json: a value JSON cannot carry throws the same E_HANDLER as encode", () => {
  const encodeInto = encodeIntoOf(jsonProtocol)!;
  expect(() => encodeInto(undefined, Buffer.alloc(100), 0, 100)).toThrow(/json protocol cannot send a undefined/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(() => encodeInto(cyclic, Buffer.alloc(100), 0, 100)).toThrow(/json protocol cannot send this message/);
});

test("a protocol that is not a built-in object has none: a user module, or a copy of a built-in with its own encode", () => {
  expect(encodeIntoOf(plain(textProtocol))).toBeNull();
  expect(encodeIntoOf({ ...textProtocol, encode: (message: unknown) => `> ${message}\n` })).toBeNull();
  expect(encodeIntoOf(null)).toBeNull();
});

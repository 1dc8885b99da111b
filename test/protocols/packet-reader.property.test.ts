// Property tests: random bytes in random chunks end only in AppError, and chunking never changes the messages before it.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { isAppError } from "../../src/errors.ts";
import { frameProtocol } from "../../src/protocols/frame.ts";
import { jsonProtocol } from "../../src/protocols/json.ts";
import { PacketReader } from "../../src/protocols/packet-reader.ts";
import type { Protocol } from "../../src/protocols/protocol.ts";
import { textProtocol } from "../../src/protocols/text.ts";
import { concat, connection, plain, toBytes } from "./common.case.ts";

/** Cuts bytes at the given positions (any numbers: they are folded into range and sorted). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    parts.push(bytes.subarray(from, point));
    from = point;
  }
  return parts;
}

function readAll<M>(protocol: Protocol<M>, parts: Uint8Array[], maxPackageSize?: number): M[] {
  const reader = new PacketReader(protocol, connection(maxPackageSize));
  return parts.flatMap((part) => reader.push(part));
}

/** Every message delivered, then the error code if the bytes went bad: chunking must change neither. */
function outcome<M>(protocol: Protocol<M>, parts: Uint8Array[], maxPackageSize: number): { messages: M[]; code: string | null } {
  const reader = new PacketReader(protocol, connection(maxPackageSize));
  const messages: M[] = [];
  for (const part of parts) {
    try {
      messages.push(...reader.push(part));
    } catch (err) {
      if (!isAppError(err)) throw err;
      return { messages, code: err.code };
    }
    if (reader.failure !== null) return { messages, code: reader.failure.code };
  }
  return { messages, code: null };
}

const cuts = fc.array(fc.nat(), { maxLength: 12 });
// Bytes biased toward what these protocols look for: newlines, CR, small frame headers, JSON punctuation.
const streamBytes = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x0a, 0x0d, 0, 4, 8, 0x7b, 0x7d, 0x22)), { maxLength: 600 })
  .map((a) => Uint8Array.from(a));

const protocols: [string, Protocol<unknown>, fc.Arbitrary<unknown>][] = [
  ["text", textProtocol, fc.string({ unit: "grapheme", maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, " "))],
  ["frame", frameProtocol, fc.oneof(fc.uint8Array({ maxLength: 60 }), fc.string({ unit: "grapheme", maxLength: 40 }))],
  ["json", jsonProtocol, fc.jsonValue({ maxDepth: 3 })],
];

describe.each(protocols)("%s protocol under random input", (_, protocol, message) => {
  test("random bytes end in messages then maybe an AppError, the same whatever the chunking or path", () => {
    fc.assert(
      fc.property(streamBytes, cuts, fc.integer({ min: 1, max: 700 }), (bytes, at, max) => {
        const whole = outcome(protocol, [bytes], max);
        expect(outcome(protocol, split(bytes, at), max)).toEqual(whole);
        expect(outcome(plain(protocol), split(bytes, at), max)).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });

  test("a valid stream gives the same messages in one chunk, in random chunks and through plain input/decode", () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 15 }), cuts, (messages, at) => {
        const conn = connection();
        const stream = concat(messages.map((m) => toBytes(protocol.encode(m, conn))));
        const whole = readAll(protocol, [stream]);
        expect(whole.length).toBe(messages.length);
        expect(readAll(protocol, split(stream, at))).toEqual(whole);
        expect(readAll(plain(protocol), split(stream, at))).toEqual(whole);
        return true;
      }),
      { numRuns: 300 },
    );
  });

  test("every decoded message is what was encoded", () => {
    fc.assert(
      fc.property(message, (m) => {
        const [decoded] = readAll(protocol, [toBytes(protocol.encode(m, connection()))]);
        const expected = protocol === frameProtocol ? Buffer.from(m as string | Uint8Array) : protocol === jsonProtocol ? JSON.parse(JSON.stringify(m)) : m;
        expect(decoded).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

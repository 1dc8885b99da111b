// The suite every built-in protocol runs: round trip, byte-by-byte and coalesced input, probes, then valid input.
import { describe, expect, test } from "bun:test";
import { isAppError } from "../../src/errors.ts";
import { PacketReader } from "../../src/protocols/packet-reader.ts";
import type { Protocol, ProtocolConnection } from "../../src/protocols/protocol.ts";

export interface ProtocolCase<M> {
  protocol: Protocol<M>;
  /** What a handler sends, and what decode must give back for it on the other side. */
  samples: { message: unknown; decoded: M }[];
  /** Bytes a hostile or broken peer might send; each must end in messages or an AppError, never another throw. */
  probes: Uint8Array[];
}

export function connection(maxPackageSize = 10 * 1024 * 1024): ProtocolConnection {
  return { id: 1, maxPackageSize, context: {} };
}

export function toBytes(encoded: Uint8Array | string): Uint8Array {
  return typeof encoded === "string" ? new TextEncoder().encode(encoded) : encoded;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The same protocol without any fast path, as a user module would be. */
export function plain<M>(protocol: Protocol<M>): Protocol<M> {
  return {
    input: (buffer, conn) => protocol.input(buffer, conn),
    decode: (packet, conn) => protocol.decode(packet, conn),
    encode: (message, conn) => protocol.encode(message, conn),
  };
}

export const commonProbes: Uint8Array[] = [
  new Uint8Array([0, 0, 0, 0]),
  new Uint8Array([0, 0, 0, 3, 0x0a]),
  new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0a]),
  new Uint8Array([0xc3, 0x28, 0xa0, 0x0a]), // invalid UTF-8
  toBytes("\r\n\n{\n]\n"),
  new Uint8Array(70_000).fill(0x61), // a long run with no newline and a huge "length"
  Uint8Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256),
];

export function runProtocolSuite<M>(name: string, { protocol, samples, probes }: ProtocolCase<M>): void {
  describe(`${name}: common protocol suite`, () => {
    const packets = () => samples.map((s) => toBytes(protocol.encode(s.message as M, connection())));
    const decodedAll = samples.map((s) => s.decoded);

    test("each sample round-trips: input measures the whole packet and decode gives the message back", () => {
      packets().forEach((packet, i) => {
        const conn = connection();
        expect(protocol.input(packet, conn)).toBe(packet.length);
        expect(protocol.decode(packet, conn)).toEqual(samples[i]!.decoded);
      });
    });

    test("input answers 0 for every strict prefix of a packet", () => {
      for (const packet of packets()) {
        for (let cut = 0; cut < packet.length; cut++) {
          expect(protocol.input(packet.subarray(0, cut), connection())).toBe(0);
        }
      }
    });

    test("a stream fed one byte at a time yields each message exactly at its last byte", () => {
      for (const p of [protocol, plain(protocol)]) {
        const reader = new PacketReader(p, connection());
        const got: M[] = [];
        for (const packet of packets()) {
          for (let i = 0; i < packet.length; i++) {
            const out = reader.push(packet.subarray(i, i + 1));
            expect(out.length).toBe(i === packet.length - 1 ? 1 : 0);
            got.push(...out);
          }
        }
        expect(got).toEqual(decodedAll);
        expect(reader.buffered).toBe(0);
      }
    });

    test("many packets coalesced in one chunk decode in order", () => {
      const stream = concat(packets());
      expect(protocol.input(stream, connection())).toBe(packets()[0]!.length);
      for (const p of [protocol, plain(protocol)]) {
        expect(new PacketReader(p, connection()).push(stream)).toEqual(decodedAll);
      }
    });

    test("a stream cut at every position decodes the same as in one chunk", () => {
      const stream = concat(packets());
      for (let cut = 0; cut <= stream.length; cut++) {
        const reader = new PacketReader(protocol, connection());
        const got = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
        expect(got).toEqual(decodedAll);
      }
    });

    test("probes end in messages or an AppError, then valid input still passes", () => {
      const conn = connection(64 * 1024);
      for (const probe of [...commonProbes, ...probes]) {
        const reader = new PacketReader(protocol, conn);
        try {
          reader.push(probe);
          reader.push(probe.subarray(0, 3));
        } catch (err) {
          expect(isAppError(err)).toBe(true);
        }
      }
      const stream = concat(packets());
      expect(new PacketReader(protocol, conn).push(stream)).toEqual(decodedAll);
    });
  });
}

// Workerman's Text protocol: one UTF-8 line per packet, ended by "\n" (a "\r" before it is dropped too).
import { type EncodeInto, fits, withEncodeInto } from "./encode-into.ts";
import type { ProtocolConnection } from "./protocol.ts";
import type { RangedProtocol } from "./ranged-protocol.ts";
import { readUtf8, writeUtf8 } from "./utf8-fast.ts";

const LF = 0x0a;
const CR = 0x0d;
/** The first bytes are scanned by a loop: a short line is found in less time than the call to indexOf takes (16 vs 65 ns). */
const LOOP_SCAN = 64;

/** Length of the line starting at `start`, "\n" included, or 0 while it has no "\n" yet. */
export function lineLength(buffer: Uint8Array, start: number, _conn?: ProtocolConnection, seen = 0): number {
  const from = start + seen;
  const length = buffer.length;
  const stop = Math.min(length, from + LOOP_SCAN);
  for (let i = from; i < stop; i++) if (buffer[i] === LF) return i - start + 1;
  if (stop === length) return 0;
  const end = buffer.indexOf(LF, stop);
  return end === -1 ? 0 : end - start + 1;
}

const decoder = new TextDecoder();

/** The line's text without its "\n" and without a "\r" before it. */
export function lineText(buffer: Uint8Array, start: number, end: number): string {
  if (end > start && buffer[end - 1] === LF) end--;
  if (end > start && buffer[end - 1] === CR) end--;
  // Buffer's own UTF-8 slice skips the view TextDecoder needs; both replace invalid bytes with U+FFFD.
  return buffer instanceof Buffer ? readUtf8(buffer, start, end) : decoder.decode(buffer.subarray(start, end));
}

export function encodeLine(message: unknown): string | Uint8Array {
  if (typeof message === "string") return `${message}\n`;
  if (message instanceof Uint8Array) {
    const out = Buffer.allocUnsafe(message.length + 1);
    out.set(message);
    out[message.length] = LF;
    return out;
  }
  return `${String(message)}\n`;
}

/** encodeLine's bytes written into `out`, or -1 when they do not fit in `room`. */
export function encodeLineInto(message: unknown, out: Buffer, offset: number, room: number): number {
  if (message instanceof Uint8Array) {
    if (message.length + 1 > room) return -1;
    out.set(message, offset);
    out[offset + message.length] = LF;
    return message.length + 1;
  }
  const text = typeof message === "string" ? message : String(message);
  if (!fits(text, 1, room)) return -1;
  const length = writeUtf8(out, text, offset);
  out[offset + length] = LF;
  return length + 1;
}

export const textProtocol = withEncodeInto({
  input: (buffer: Uint8Array, _conn?: ProtocolConnection): number => lineLength(buffer, 0),
  decode: (packet: Uint8Array, _conn?: ProtocolConnection): string => lineText(packet, 0, packet.length),
  encode: (message: unknown, _conn?: ProtocolConnection): string | Uint8Array => encodeLine(message),
  encodeInto: encodeLineInto,
  inputRange: lineLength,
  decodeRange: (buffer: Uint8Array, start: number, end: number): string => lineText(buffer, start, end),
} satisfies RangedProtocol<string> & { encodeInto: EncodeInto });

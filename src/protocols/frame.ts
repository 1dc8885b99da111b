// Workerman's Frame protocol: a 4-byte big-endian total length (header included), then the body.
import { AppError } from "../errors.ts";
import { type EncodeInto, fits, withEncodeInto } from "./encode-into.ts";
import type { ProtocolConnection } from "./protocol.ts";
import type { RangedProtocol } from "./ranged-protocol.ts";
import { writeUtf8 } from "./utf8-fast.ts";

const HEADER = 4;
const MAX_TOTAL = 0xffffffff;

/** The frame's total length once all of it is buffered, 0 before, -1 when the header is impossible. */
export function frameLength(buffer: Uint8Array, start: number, conn: ProtocolConnection): number {
  const available = buffer.length - start;
  if (available < HEADER) return 0;
  const total = buffer[start]! * 0x1000000 + ((buffer[start + 1]! << 16) | (buffer[start + 2]! << 8) | buffer[start + 3]!);
  if (total < HEADER) return -1;
  // An oversized frame is announced at once, so the reader refuses it after 4 bytes instead of after maxPackageSize.
  if (total <= available || total > conn.maxPackageSize) return total;
  return 0;
}

/** A copy of the body, so the message outlives the connection's read buffer and binary stays intact. */
export function frameBody(buffer: Uint8Array, start: number, end: number): Buffer {
  const from = Math.min(start + HEADER, end);
  return Buffer.copyBytesFrom(buffer, from, end - from);
}

export function encodeFrame(message: string | Uint8Array): Buffer {
  const text = typeof message === "string" ? message : message instanceof Uint8Array ? null : String(message);
  const bodyLength = text === null ? (message as Uint8Array).length : Buffer.byteLength(text);
  const total = HEADER + bodyLength;
  if (total > MAX_TOTAL) {
    const limit = MAX_TOTAL - HEADER;
    throw new AppError("E_HANDLER", `a frame cannot carry ${bodyLength} bytes (its 4-byte length allows ${limit})`);
  }
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32BE(total, 0);
  if (text === null) out.set(message as Uint8Array, HEADER);
  else out.write(text, HEADER, "utf8");
  return out;
}

/** encodeFrame's bytes written into `out`, or -1 when they do not fit in `room`. */
export function encodeFrameInto(message: unknown, out: Buffer, offset: number, room: number): number {
  if (message instanceof Uint8Array) {
    if (HEADER + message.length > room) return -1;
    out.writeUInt32BE(HEADER + message.length, offset);
    out.set(message, offset + HEADER);
    return HEADER + message.length;
  }
  const text = typeof message === "string" ? message : String(message);
  if (!fits(text, HEADER, room)) return -1;
  const total = HEADER + writeUtf8(out, text, offset + HEADER);
  out.writeUInt32BE(total, offset);
  return total;
}

export const frameProtocol = withEncodeInto({
  input: (buffer: Uint8Array, conn: ProtocolConnection): number => frameLength(buffer, 0, conn),
  decode: (packet: Uint8Array, _conn?: ProtocolConnection): Buffer => frameBody(packet, 0, packet.length),
  encode: (message: string | Uint8Array, _conn?: ProtocolConnection): Buffer => encodeFrame(message),
  encodeInto: encodeFrameInto,
  inputRange: frameLength,
  decodeRange: (buffer: Uint8Array, start: number, end: number): Buffer => frameBody(buffer, start, end),
} satisfies RangedProtocol<Buffer> & { encodeInto: EncodeInto });

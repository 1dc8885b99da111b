// The optional fast path a built-in protocol offers the send path: encode a message straight into the reply batch.

/**
 * Writes the same bytes as `encode(message, conn)` into `out` at `offset` when they fit in `room` bytes, and returns
 * how many; returns -1 and writes nothing when they do not fit (the caller then encodes and writes the usual way).
 * Saves the string or buffer `encode` would make only to be copied into the batch.
 */
export type EncodeInto = (message: unknown, out: Buffer, offset: number, room: number) => number;

/** The built-in protocol objects themselves: a copy (`{ ...textProtocol, encode }`) may encode differently. */
const BUILT_IN = new WeakSet<object>();

export function withEncodeInto<P extends { encodeInto: EncodeInto }>(protocol: P): P {
  BUILT_IN.add(protocol);
  return protocol;
}

/** The protocol's encodeInto when it is a built-in one, else null (its encode is the only truth). */
export function encodeIntoOf(protocol: object | null): EncodeInto | null {
  return protocol !== null && BUILT_IN.has(protocol) ? (protocol as { encodeInto: EncodeInto }).encodeInto : null;
}

/** UTF-8 takes at most 3 bytes per UTF-16 unit: the exact byte count is only needed near the end of the room. */
export function fits(text: string, extra: number, room: number): boolean {
  return text.length * 3 + extra <= room || Buffer.byteLength(text) + extra <= room;
}

// The optional fast path a built-in protocol offers the send path: encode a message straight into the reply batch.

/**
 * Writes the same bytes as `encode(message, conn)` into `out` at `offset` when they fit in `room` bytes, and returns
 * how many; returns -1 and writes nothing when they do not fit (the caller then encodes and writes the usual way).
 * Saves the string or buffer `encode` would make only to be copied into the batch.
 */
export type EncodeInto = (message: unknown, out: Buffer, offset: number, room: number) => number;

export function encodeIntoOf(protocol: object | null): EncodeInto | null {
  const encodeInto = (protocol as { encodeInto?: unknown } | null)?.encodeInto;
  return typeof encodeInto === "function" ? (encodeInto as EncodeInto) : null;
}

/** UTF-8 takes at most 3 bytes per UTF-16 unit: the exact byte count is only needed near the end of the room. */
export function fits(text: string, extra: number, room: number): boolean {
  return text.length * 3 + extra <= room || Buffer.byteLength(text) + extra <= room;
}

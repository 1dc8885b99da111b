// What send() accepts, turned into what a socket writes: a leaf, so the channel and every connection kind can share it.
/** Turns what a handler passes to send() into bytes or a string without copying when it can. */
export function toWire(data: unknown): string | Uint8Array {
  if (typeof data === "string" || data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data === undefined || data === null) return "";
  return typeof data === "object" ? JSON.stringify(data) : String(data);
}

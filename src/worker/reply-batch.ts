// The replies to one received chunk, encoded straight into one reusable buffer so they leave in one write(2).
import { writeUtf8 } from "../protocols/utf8-fast.ts";

/** A batch this large is written at once, so one chunk's replies never pile up unbounded. */
export const BATCH_BYTES = 64 * 1024;

/**
 * Bun runs data callbacks one at a time, so one batch serves the whole process. Each reply is copied (or UTF-8
 * encoded) into the buffer as it is sent: no array of parts, no copy per part, no join before the write.
 */
export class ReplyBatch<Owner> {
  /** The connection whose chunk is being handled, or null outside a data callback. */
  owner: Owner | null = null;
  /** Bytes batched so far, at the start of `buffer`. */
  size = 0;
  /** Reused: whoever writes it copies what the kernel does not take. */
  readonly buffer: Buffer = Buffer.allocUnsafe(BATCH_BYTES);

  /** Appends the wire bytes; false (nothing added) when they do not fit in what is left. */
  add(wire: string | Uint8Array): boolean {
    const room = BATCH_BYTES - this.size;
    if (typeof wire === "string") {
      // UTF-8 takes at most 3 bytes per UTF-16 unit: the exact count is only needed near the end.
      if (wire.length * 3 > room && Buffer.byteLength(wire) > room) return false;
      this.size += writeUtf8(this.buffer, wire, this.size);
      return true;
    }
    if (wire.byteLength > room) return false;
    this.buffer.set(wire, this.size);
    this.size += wire.byteLength;
    return true;
  }
}

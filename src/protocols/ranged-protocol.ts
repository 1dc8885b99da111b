// The optional fast path a built-in protocol offers PacketReader: input and decode over a range of a larger buffer.
import type { Protocol, ProtocolConnection } from "./protocol.ts";

/**
 * Same answers as `input(buffer.subarray(start), conn)` and `decode(buffer.subarray(start, end), conn)`,
 * without making a view per packet (a view costs about as much as decoding a short line). Neither keeps `buffer`
 * and a decoded message holds no view of it (a string, a copy): PacketReader frees the buffers it lets go at once.
 */
export interface RangedProtocol<Message = unknown> extends Protocol<Message> {
  /**
   * `seen`: how many bytes from `start` an earlier call already saw and answered 0 for; they have not
   * changed, so a scanning protocol may skip them (a long line is then scanned once, not once per chunk).
   */
  inputRange(buffer: Uint8Array, start: number, conn: ProtocolConnection, seen: number): number;
  decodeRange(buffer: Uint8Array, start: number, end: number, conn: ProtocolConnection): Message;
}

export function isRangedProtocol<M>(protocol: Pick<Protocol<M>, "decode">): protocol is RangedProtocol<M> {
  const ranged = protocol as Partial<RangedProtocol<M>>;
  return typeof ranged.inputRange === "function" && typeof ranged.decodeRange === "function";
}

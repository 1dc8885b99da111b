// A custom protocol (Workerman's input/decode/encode): a 2-byte big-endian body length, then a UTF-8 body.
import type { Protocol } from "workerman-app";

const HEADER = 2;

export default {
  /** The whole packet's length once its header is in; 0 while fewer bytes than that have arrived. */
  input(buffer) {
    if (buffer.length < HEADER) return 0;
    // The reader compares this with maxPackageSize at once, so an oversized packet is refused after 2 bytes.
    return HEADER + ((buffer[0]! << 8) | buffer[1]!);
  },
  decode(packet) {
    return new TextDecoder().decode(packet.subarray(HEADER));
  },
  encode(message) {
    const body = new TextEncoder().encode(String(message));
    if (body.length > 0xffff) throw new RangeError(`a length-prefix packet carries at most 65535 bytes, not ${body.length}`);
    const packet = new Uint8Array(HEADER + body.length);
    packet[0] = body.length >> 8;
    packet[1] = body.length & 0xff;
    packet.set(body, HEADER);
    return packet;
  },
} satisfies Protocol<string>;

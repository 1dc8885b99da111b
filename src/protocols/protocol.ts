// The contract every framing protocol meets (Workerman's input/decode/encode), pure over bytes.

/** What a protocol may read of the connection it frames; it never does I/O through it. */
export interface ProtocolConnection {
  readonly id: number;
  maxPackageSize: number;
  /** Free-form per-connection state a protocol may keep. */
  context: Record<string, unknown>;
}

export interface Protocol<Message = unknown> {
  /**
   * Length in bytes of the first complete packet at the start of `buffer`,
   * 0 when more bytes are needed, or -1 when the bytes can never form a valid packet (close).
   */
  input(buffer: Uint8Array, conn: ProtocolConnection): number;
  /** The message carried by one complete packet (exactly the bytes `input` measured). */
  decode(packet: Uint8Array, conn: ProtocolConnection): Message;
  /** The bytes to put on the wire for one message. */
  encode(message: Message, conn: ProtocolConnection): Uint8Array | string;
}

// Newline-delimited JSON: one JSON value per line, framed exactly like the text protocol.
import { AppError } from "../errors.ts";
import type { ProtocolConnection } from "./protocol.ts";
import type { RangedProtocol } from "./ranged-protocol.ts";
import { lineLength, lineText } from "./text.ts";

function parseLine(buffer: Uint8Array, start: number, end: number): unknown {
  const line = lineText(buffer, start, end);
  try {
    return JSON.parse(line);
  } catch (cause) {
    const shown = line.length > 80 ? `${line.slice(0, 80)}...` : line;
    throw new AppError("E_PROTOCOL", `json protocol: the peer sent a line that is not JSON: ${JSON.stringify(shown)}`, {
      cause,
    });
  }
}

export function encodeJsonLine(message: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(message);
  } catch (cause) {
    throw new AppError("E_HANDLER", `json protocol cannot send this message: ${(cause as Error).message}`, { cause });
  }
  // JSON.stringify returns undefined for undefined, functions and symbols: nothing a peer could parse.
  if (json === undefined) {
    throw new AppError("E_HANDLER", `json protocol cannot send a ${typeof message}: send a JSON-serializable value`);
  }
  return `${json}\n`;
}

export const jsonProtocol = {
  input: (buffer: Uint8Array, _conn?: ProtocolConnection): number => lineLength(buffer, 0),
  decode: (packet: Uint8Array, _conn?: ProtocolConnection): unknown => parseLine(packet, 0, packet.length),
  encode: (message: unknown, _conn?: ProtocolConnection): string => encodeJsonLine(message),
  inputRange: lineLength,
  decodeRange: (buffer, start, end) => parseLine(buffer, start, end),
} satisfies RangedProtocol<unknown>;

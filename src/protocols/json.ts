// Newline-delimited JSON: one JSON value per line, framed exactly like the text protocol.
import { AppError } from "../errors.ts";
import type { ProtocolConnection } from "./protocol.ts";
import type { RangedProtocol } from "./ranged-protocol.ts";
import { type EncodeInto, withEncodeInto } from "./encode-into.ts";
import { encodeLineInto, lineLength, lineText } from "./text.ts";

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
  return `${jsonText(message)}\n`;
}

/** encodeJsonLine's bytes written into `out`, or -1 when they do not fit in `room` (then encode stringifies again: rare, past 64 KiB a chunk). */
export function encodeJsonLineInto(message: unknown, out: Buffer, offset: number, room: number): number {
  return encodeLineInto(jsonText(message), out, offset, room);
}

function jsonText(message: unknown): string {
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
  return json;
}

export const jsonProtocol = withEncodeInto({
  input: (buffer: Uint8Array, _conn?: ProtocolConnection): number => lineLength(buffer, 0),
  decode: (packet: Uint8Array, _conn?: ProtocolConnection): unknown => parseLine(packet, 0, packet.length),
  encode: (message: unknown, _conn?: ProtocolConnection): string => encodeJsonLine(message),
  encodeInto: encodeJsonLineInto,
  inputRange: lineLength,
  decodeRange: (buffer, start, end) => parseLine(buffer, start, end),
} satisfies RangedProtocol<unknown> & { encodeInto: EncodeInto });

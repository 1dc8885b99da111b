// HTTP/1.1 on the admin plane's sockets: reads a request head, writes a response head and chunked body frames.
import { STATUS_CODES } from "node:http";

/** A request head longer than this is refused (431): the admin API needs a few hundred bytes. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** Bodies past this are refused (413) before they are read; the API's own limit (64 KiB) is lower still. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface RequestHead {
  method: string;
  target: string;
  headers: Headers;
  /** Bytes of the head, the blank line included. */
  headBytes: number;
  bodyBytes: number;
  keepAlive: boolean;
}

export class WireError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const CRLF2 = Buffer.from("\r\n\r\n");
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The head at the start of `buffer`, or null while it is incomplete; throws WireError for what cannot be served. */
export function readHead(buffer: Buffer): RequestHead | null {
  const end = buffer.indexOf(CRLF2);
  if (end < 0) {
    if (buffer.length > MAX_HEAD_BYTES) throw new WireError(431, "request head too large");
    return null;
  }
  if (end > MAX_HEAD_BYTES) throw new WireError(431, "request head too large");
  const lines = buffer.toString("latin1", 0, end).split("\r\n");
  const [method, target, version, extra] = lines[0]!.split(" ");
  if (!method || !TOKEN.test(method) || !target?.startsWith("/") || extra !== undefined || !/^HTTP\/1\.[01]$/.test(version ?? "")) {
    throw new WireError(400, "malformed request line");
  }
  const headers = new Headers();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) throw new WireError(400, "malformed header line");
    try {
      headers.append(name, line.slice(colon + 1).trim());
    } catch {
      throw new WireError(400, "malformed header value");
    }
  }
  if (headers.has("transfer-encoding")) throw new WireError(411, "chunked request bodies are not accepted: send Content-Length");
  const length = headers.get("content-length");
  const bodyBytes = length === null ? 0 : Number(length);
  if (!/^\d+$/.test(length ?? "0") || !Number.isSafeInteger(bodyBytes)) throw new WireError(400, "malformed Content-Length");
  if (bodyBytes > MAX_BODY_BYTES) throw new WireError(413, `request body over ${MAX_BODY_BYTES} bytes`);
  const connection = headers.get("connection")?.toLowerCase() ?? "";
  const keepAlive = version === "HTTP/1.1" ? !connection.includes("close") : connection.includes("keep-alive");
  return { method, target, headers, headBytes: end + 4, bodyBytes, keepAlive };
}

/** Status line and headers; `body` is its length, or "chunked" for a stream whose length nobody knows yet. */
export function responseHead(response: Response, body: number | "chunked", keepAlive: boolean): string {
  let head = `HTTP/1.1 ${response.status} ${response.statusText || STATUS_CODES[response.status] || "-"}\r\n`;
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "transfer-encoding" && name !== "connection") head += `${name}: ${value}\r\n`;
  });
  if (body === "chunked") head += "transfer-encoding: chunked\r\n";
  else if (response.status !== 204 && response.status !== 304) head += `content-length: ${body}\r\n`;
  return `${head}connection: ${keepAlive ? "keep-alive" : "close"}\r\n\r\n`;
}

export function chunkFrame(chunk: Uint8Array): Uint8Array {
  const prefix = Buffer.from(`${chunk.length.toString(16)}\r\n`);
  return Buffer.concat([prefix, chunk, Buffer.from("\r\n")]);
}

export const LAST_CHUNK = Buffer.from("0\r\n\r\n");

/** What a refused or broken connection gets: a complete response that closes, written with one syscall. */
export function plainResponse(status: number, message: string): Uint8Array {
  const body = JSON.stringify({ error: { code: "E_ADMIN", message } });
  return Buffer.from(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "-"}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

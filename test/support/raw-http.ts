// Raw HTTP/1.1 over a TCP socket for tests: writes exact bytes (pipelined, malformed) and parses what comes back.
import net from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawExchange {
  responses: RawResponse[];
  /** true when the server closed the connection before the wanted responses arrived (or after them). */
  closed: boolean;
}

/** Parses the complete responses at the front of `text` (Content-Length or chunked bodies; 304/HEAD-style without). */
export function parseResponses(text: string, bodiless: (index: number) => boolean = () => false): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const end = text.indexOf("\r\n\r\n", at);
    if (end === -1) return out;
    const [statusLine, ...lines] = text.slice(at, end).split("\r\n");
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(statusLine!.split(" ")[1]);
    let bodyStart = end + 4;
    let body = "";
    if (bodiless(out.length) || status === 304 || status === 204) {
      // no body
    } else if (headers["transfer-encoding"] === "chunked") {
      for (;;) {
        const lineEnd = text.indexOf("\r\n", bodyStart);
        if (lineEnd === -1) return out;
        const size = parseInt(text.slice(bodyStart, lineEnd), 16);
        if (text.length < lineEnd + 2 + size + 2) return out;
        body += text.slice(lineEnd + 2, lineEnd + 2 + size);
        bodyStart = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
    } else {
      const length = Number(headers["content-length"] ?? 0);
      if (text.length < bodyStart + length) return out;
      body = text.slice(bodyStart, bodyStart + length);
      bodyStart += length;
    }
    out.push({ status, headers, body });
    at = bodyStart;
  }
}

/** Writes `payload` in one write and resolves once `want` responses are parsed, the server closes, or `timeoutMs` passes. */
export function exchange(port: number, payload: string | Uint8Array, want = 1, timeoutMs = 5000): Promise<RawExchange> {
  return new Promise((resolve) => {
    let text = "";
    let done = false;
    const socket = net.connect(port, "127.0.0.1", () => socket.write(payload));
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ responses: parseResponses(text), closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      text += chunk;
      if (parseResponses(text).length >= want) finish(false);
    });
    socket.on("close", () => finish(true));
    socket.on("error", () => finish(true));
  });
}

export const get = (path: string, headers = "Host: t\r\n") => `GET ${path} HTTP/1.1\r\n${headers}\r\n`;

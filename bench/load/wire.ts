// The bytes the load generators send and expect: one echo message as a text line, a frame, a JSON line, a masked WebSocket frame, an HTTP upgrade.
export const PAYLOAD = "hello world 0123";

export interface EchoWire {
  /** One request as sent. */
  request: Uint8Array;
  /** Size of one echoed reply. */
  replySize: number;
}

/** text://: the payload and "\n", echoed as sent. */
export function textWire(): EchoWire {
  const request = Buffer.from(`${PAYLOAD}\n`);
  return { request, replySize: request.length };
}

/** frame://: Workerman's frame, a 4-byte big-endian total length then the payload, echoed as sent. */
export function frameWire(): EchoWire {
  const body = Buffer.from(PAYLOAD);
  const request = Buffer.alloc(4 + body.length);
  request.writeUInt32BE(request.length, 0);
  body.copy(request, 4);
  return { request, replySize: request.length };
}

/** One JSON value a line, compact and free of escapes, so parsing and stringifying it again gives the same bytes. */
export const JSON_PAYLOAD = `{"id":1,"text":"${PAYLOAD}"}`;

/** json over tcp: one JSON line, echoed as sent once parsed and stringified again. */
export function jsonWire(): EchoWire {
  const request = Buffer.from(`${JSON_PAYLOAD}\n`);
  return { request, replySize: request.length };
}

/** websocket://: a client text frame, masked with a zero key (valid, and the payload stays readable); the reply is unmasked. */
export function webSocketWire(): EchoWire {
  const body = Buffer.from(PAYLOAD);
  if (body.length > 125) throw new Error("the payload must fit a 7-bit length");
  const request = Buffer.concat([Buffer.from([0x81, 0x80 | body.length, 0, 0, 0, 0]), body]);
  return { request, replySize: 2 + body.length };
}

export function upgradeRequest(host: string, port: number): string {
  return (
    `GET / HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
  );
}

/** `count` copies of `one` back to back, so a window of requests goes out in one write. */
export function repeat(one: Uint8Array, count: number): Buffer {
  return Buffer.concat(Array.from({ length: count }, () => one));
}

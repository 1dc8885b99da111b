// The admin plane's HTTP/1.1 reader: whole heads only, bounded sizes, and the refusals that close a connection.
import { expect, test } from "bun:test";
import { MAX_BODY_BYTES, MAX_HEAD_BYTES, readHead, responseHead, WireError } from "../../src/admin/http-wire.ts";

const head = (text: string) => readHead(Buffer.from(text));
const refusal = (text: string) => {
  try {
    head(text);
  } catch (err) {
    if (err instanceof WireError) return [err.status, err.message];
    throw err;
  }
  return null;
};

test("a complete head is read with its body length and keep-alive; an incomplete one waits", () => {
  const parsed = head("POST /api/push HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\nAuthorization: Bearer t\r\n\r\n{}");
  expect(parsed).toMatchObject({ method: "POST", target: "/api/push", bodyBytes: 12, keepAlive: true });
  expect(parsed!.headers.get("authorization")).toBe("Bearer t");
  expect(head("GET / HTTP/1.1\r\nHost: x\r\n")).toBeNull();
  expect(head("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")!.keepAlive).toBe(false);
  expect(head("GET / HTTP/1.0\r\n\r\n")!.keepAlive).toBe(false);
});

test("what cannot be served is refused with a status, before a byte of body is kept", () => {
  expect(refusal(`GET / HTTP/1.1\r\nX: ${"a".repeat(MAX_HEAD_BYTES)}`)).toEqual([431, "request head too large"]);
  expect(refusal(`POST / HTTP/1.1\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`)).toEqual([413, `request body over ${MAX_BODY_BYTES} bytes`]);
  expect(refusal("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")![0]).toBe(411);
  expect(refusal("GET / HTTP/2\r\n\r\n")![0]).toBe(400);
  expect(refusal("GET http://x/ HTTP/1.1\r\n\r\n")![0]).toBe(400);
  expect(refusal("GET / HTTP/1.1\r\nbad header\r\n\r\n")![0]).toBe(400);
  expect(refusal("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")![0]).toBe(400);
});

test("a response head carries its length or chunked, and the connection decision", () => {
  const response = new Response("x", { status: 201, headers: { "X-A": "1", "Content-Length": "99" } });
  expect(responseHead(response, 1, true)).toBe("HTTP/1.1 201 Created\r\nx-a: 1\r\ncontent-length: 1\r\nconnection: keep-alive\r\n\r\n");
  expect(responseHead(new Response(null, { status: 204 }), 0, false)).toBe("HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n");
  expect(responseHead(new Response("s"), "chunked", true)).toContain("transfer-encoding: chunked\r\n");
});

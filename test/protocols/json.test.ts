// The newline-delimited JSON protocol: the common suite plus invalid lines and values JSON cannot carry.
import { describe, expect, test } from "bun:test";
import { AppError } from "../../src/errors.ts";
import { jsonProtocol } from "../../src/protocols/json.ts";
import { PacketReader } from "../../src/protocols/packet-reader.ts";
import { connection, runProtocolSuite, toBytes } from "./common.case.ts";

const nested = { id: 7, tags: ["a", "b"], deep: { ok: true, none: null, text: "line\nbreak ✓" } };

runProtocolSuite("json", {
  protocol: jsonProtocol,
  samples: [
    { message: nested, decoded: nested },
    { message: "a string", decoded: "a string" },
    { message: 3.5, decoded: 3.5 },
    { message: null, decoded: null },
    { message: [1, [2, [3]]], decoded: [1, [2, [3]]] },
  ],
  probes: [toBytes('{"unterminated": \n')],
});

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected a throw");
}

describe("json protocol", () => {
  const conn = connection();

  test("a CRLF-ended line parses", () => {
    expect(jsonProtocol.decode(toBytes('{"a":1}\r\n'), conn)).toEqual({ a: 1 });
  });

  test("an invalid line is E_PROTOCOL, quoting the line and keeping the parser's error", () => {
    const err = thrown(() => jsonProtocol.decode(toBytes("{nope}\n"), conn));
    expect(err.code).toBe("E_PROTOCOL");
    expect(err.message).toContain('"{nope}"');
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  test("an empty line is not JSON either", () => {
    expect(thrown(() => jsonProtocol.decode(toBytes("\n"), conn)).code).toBe("E_PROTOCOL");
  });

  test("the reader stops at the first invalid line: the lines before it are returned, E_PROTOCOL kept unchanged", () => {
    const reader = new PacketReader(jsonProtocol, connection());
    expect(reader.push(toBytes('{"ok":1}\nbroken\n{"after":2}\n'))).toEqual([{ ok: 1 }]);
    const err = reader.failure!;
    expect(err.code).toBe("E_PROTOCOL");
    expect(err.message).toContain('"broken"');
    expect(thrown(() => reader.push(toBytes('{"more":3}\n')))).toBe(err);
  });

  test("encode is one line even when strings hold newlines", () => {
    const line = jsonProtocol.encode({ s: "a\nb" });
    expect(line).toBe('{"s":"a\\nb"}\n');
    expect(line.indexOf("\n")).toBe(line.length - 1);
  });

  test("values JSON cannot carry are a handler error, not a silent 'undefined' line", () => {
    expect(thrown(() => jsonProtocol.encode(undefined)).code).toBe("E_HANDLER");
    expect(thrown(() => jsonProtocol.encode(() => 1)).code).toBe("E_HANDLER");
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(thrown(() => jsonProtocol.encode(circular)).code).toBe("E_HANDLER");
    expect(thrown(() => jsonProtocol.encode(1n)).code).toBe("E_HANDLER");
  });
});

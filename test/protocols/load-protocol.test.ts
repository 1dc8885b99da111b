// loadProtocol: built-in names, user modules written to a temp dir (default, named, class), and clear errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../../src/errors.ts";
import { frameProtocol } from "../../src/protocols/frame.ts";
import { jsonProtocol } from "../../src/protocols/json.ts";
import { builtinProtocolFor, loadProtocol } from "../../src/protocols/load-protocol.ts";
import { PacketReader } from "../../src/protocols/packet-reader.ts";
import { textProtocol } from "../../src/protocols/text.ts";
import { connection, toBytes } from "./common.case.ts";

// A length-prefixed protocol: one length byte, then that many bytes, decoded to upper case.
const body = `
  input(buffer) { return buffer.length < 1 ? 0 : buffer.length >= 1 + buffer[0] ? 1 + buffer[0] : 0; },
  decode(packet) { return new TextDecoder().decode(packet.subarray(1)).toUpperCase(); },
  encode(message) { const b = new TextEncoder().encode(message); return new Uint8Array([b.length, ...b]); },
`;
const modules: Record<string, string> = {
  "default.ts": `export default { ${body} };`,
  "named.ts": `
    export const input = (buffer) => buffer.length < 1 ? 0 : buffer.length >= 1 + buffer[0] ? 1 + buffer[0] : 0;
    export const decode = (packet) => new TextDecoder().decode(packet.subarray(1)).toUpperCase();
    export const encode = (message) => new Uint8Array([0]);`,
  "class.ts": `export default class Proto {
    static input(buffer) { return this.length(buffer); }
    static length(buffer) { return buffer.length < 1 ? 0 : buffer.length >= 1 + buffer[0] ? 1 + buffer[0] : 0; }
    static decode(packet) { return new TextDecoder().decode(packet.subarray(1)).toUpperCase(); }
    static encode(message) { return new Uint8Array([0]); }
  }`,
  "missing.ts": "export function input() { return 0; }\nexport function encode(m) { return m; }",
  "default-missing.ts": "export default { input() { return 0; }, decode(p) { return p; } };",
  "broken.ts": "export const = ;",
};

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "protocols-"));
  for (const [name, source] of Object.entries(modules)) writeFileSync(join(dir, name), source);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(name: string): Promise<AppError> {
  const err = await loadProtocol(name).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("loadProtocol", () => {
  test("built-in names give the built-in protocols", async () => {
    expect(await loadProtocol("text")).toBe(textProtocol);
    expect(await loadProtocol("frame")).toBe(frameProtocol);
    expect(await loadProtocol("json")).toBe(jsonProtocol);
  });

  test.each(["default.ts", "named.ts", "class.ts"])("a user module (%s) works through PacketReader", async (file) => {
    const protocol = await loadProtocol(join(dir, file));
    const reader = new PacketReader(protocol, connection());
    expect(reader.push(new Uint8Array([2, 0x68]))).toEqual([]);
    expect(reader.push(new Uint8Array([0x69, 1, 0x6f]))).toEqual(["HI", "O"]);
  });

  test("encode of a user module is called as written", async () => {
    const protocol = await loadProtocol(join(dir, "default.ts"));
    expect([...toBytes(protocol.encode("ab", connection()))]).toEqual([2, 0x61, 0x62]);
  });

  test("a module without all three functions names what is missing", async () => {
    const named = await rejection(join(dir, "missing.ts"));
    expect(named.code).toBe("E_CONFIG");
    expect(named.message).toBe(`protocol module ${join(dir, "missing.ts")} must export input, decode and encode functions (missing: decode)`);
    expect((await rejection(join(dir, "default-missing.ts"))).message).toEndWith("(missing: encode)");
  });

  test("a module that does not load, or does not exist, is E_CONFIG with the reason", async () => {
    const broken = await rejection(join(dir, "broken.ts"));
    expect(broken.code).toBe("E_CONFIG");
    expect(broken.message).toStartWith(`cannot load protocol module ${join(dir, "broken.ts")}:`);
    expect(broken.cause).toBeDefined();
    expect((await rejection(join(dir, "absent.ts"))).code).toBe("E_CONFIG");
  });

  test("an unknown name that is not an absolute path is E_CONFIG listing the choices", async () => {
    const err = await rejection("txet");
    expect(err.code).toBe("E_CONFIG");
    expect(err.message).toContain('unknown protocol "txet"');
    expect((await rejection("./relative.ts")).code).toBe("E_CONFIG");
    expect((await rejection("toString")).code).toBe("E_CONFIG");
  });
});

describe("builtinProtocolFor", () => {
  test("text:// and frame:// imply their protocol; other schemes imply none", () => {
    expect(builtinProtocolFor("text")).toBe("text");
    expect(builtinProtocolFor("text://")).toBe("text");
    expect(builtinProtocolFor("frame:")).toBe("frame");
    for (const scheme of ["tcp", "json", "http://", "unix", "websocket"]) {
      expect(builtinProtocolFor(scheme)).toBeUndefined();
    }
  });
});

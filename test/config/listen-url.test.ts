import { describe, expect, test } from "bun:test";
import { isLoopbackHost, parseListenUrl } from "../../src/config/listen-url.ts";
import { configError } from "./temp-app.ts";

const base = "/srv/app";

describe("parseListenUrl", () => {
  test("network schemes give host and port", () => {
    expect(parseListenUrl("http://127.0.0.1:8080", base)).toEqual({
      scheme: "http",
      host: "127.0.0.1",
      port: 8080,
      url: "http://127.0.0.1:8080",
    });
    for (const scheme of ["tcp", "udp", "text", "frame", "websocket"] as const) {
      const address = parseListenUrl(`${scheme}://0.0.0.0:9000`, base);
      expect([address.scheme, address.host, address.port]).toEqual([scheme, "0.0.0.0", 9000]);
    }
  });

  test("ws:// is an alias of websocket://, and the URL is kept as written", () => {
    const address = parseListenUrl("ws://localhost:8081", base);
    expect(address.scheme).toBe("websocket");
    expect(address.url).toBe("ws://localhost:8081");
    expect(parseListenUrl("WS://localhost:1/", base).scheme).toBe("websocket");
  });

  test("IPv6 hosts in brackets", () => {
    const address = parseListenUrl("tcp://[::1]:8000", base);
    expect([address.host, address.port]).toEqual(["::1", 8000]);
    expect(parseListenUrl("udp://[::]:53", base).host).toBe("::");
  });

  test("IPv6 without brackets says to add them", async () => {
    const err = await configError(() => parseListenUrl("tcp://::1:8000", base, "workers[0].listen"));
    expect(err.message).toContain("tcp://[::1]:8000");
    expect(err.field).toBe("workers[0].listen");
  });

  test("port 0 and 65535 are fine; 65536 is out of range", async () => {
    expect(parseListenUrl("tcp://127.0.0.1:0", base).port).toBe(0);
    expect(parseListenUrl("tcp://127.0.0.1:65535", base).port).toBe(65535);
    const err = await configError(() => parseListenUrl("tcp://127.0.0.1:65536", base));
    expect(err.code).toBe("E_CONFIG");
    expect(err.message).toBe("port 65536 is out of range (0..65535; 0 picks a free port)");
  });

  test("missing port, missing host, non-numeric port, a path", async () => {
    expect((await configError(() => parseListenUrl("http://127.0.0.1", base))).message).toContain("missing port");
    expect((await configError(() => parseListenUrl("http://127.0.0.1:", base))).message).toContain("missing port");
    expect((await configError(() => parseListenUrl("http://:80", base))).message).toContain("missing host");
    expect((await configError(() => parseListenUrl("http://h:http", base))).message).toContain('"http" is not a number');
    expect((await configError(() => parseListenUrl("http://h:80/api", base))).message).toContain("has a path");
    expect((await configError(() => parseListenUrl("127.0.0.1:80", base))).message).toContain("not a listen URL");
  });

  test("unknown scheme lists the schemes and suggests the nearest", async () => {
    const err = await configError(() => parseListenUrl("tpc://127.0.0.1:8000", base, "workers[1].listen"));
    expect(err.toString()).toBe('E_CONFIG: workers[1].listen: unknown scheme "tpc" (expected tcp, udp, unix, http, websocket, text, frame): did you mean tcp?');
    expect((await configError(() => parseListenUrl("htp://h:1", base))).message).toEndWith("did you mean http?");
    expect((await configError(() => parseListenUrl("gopher://h:1", base))).message).not.toContain("did you mean");
    expect((await configError(() => parseListenUrl("https://h:1", base))).message).toContain('"ssl"');
  });

  test("unix paths: relative to the config folder, or absolute", async () => {
    expect(parseListenUrl("unix://./svc.sock", base)).toEqual({
      scheme: "unix",
      host: "",
      port: 0,
      path: "/srv/app/svc.sock",
      url: "unix://./svc.sock",
    });
    expect(parseListenUrl("unix://run/a.sock", base).path).toBe("/srv/app/run/a.sock");
    expect(parseListenUrl("unix:///tmp/abs.sock", base).path).toBe("/tmp/abs.sock");
    expect((await configError(() => parseListenUrl("unix://", base))).message).toContain("needs a socket path");
    const long = `unix:///tmp/${"x".repeat(120)}.sock`;
    expect((await configError(() => parseListenUrl(long, base))).message).toContain("Linux allows 107");
  });
});

test("isLoopbackHost", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"]) expect(isLoopbackHost(host)).toBe(true);
  for (const host of ["0.0.0.0", "::", "10.0.0.1", "example.com", "128.0.0.1"]) expect(isLoopbackHost(host)).toBe(false);
});

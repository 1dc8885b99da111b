// What a group's rate is counted in, named from its listen URL: requests, messages or datagrams per second.
import { describe, expect, test } from "bun:test";
import { rateTitle, rateUnit } from "../../admin-ui/rate-units.ts";

describe("rate units by kind", () => {
  test("http counts requests; websocket, tcp, text, frame, json and unix count messages; udp counts datagrams", () => {
    expect(rateUnit("http://127.0.0.1:8080")).toBe("req/s");
    expect(rateUnit("https://0.0.0.0:443")).toBe("req/s");
    for (const listen of [
      "websocket://127.0.0.1:1",
      "ws://[::1]:2",
      "tcp://127.0.0.1:3",
      "text://x:4",
      "frame://x:5",
      "json://x:6",
      "unix:///run/a.sock",
      "unix://./b.sock",
    ]) {
      expect(rateUnit(listen)).toBe("msg/s");
    }
    expect(rateUnit("udp://127.0.0.1:9")).toBe("datagrams/s");
  });

  test("an address of no known kind is counted in events, never passed off as requests", () => {
    expect(rateUnit("")).toBe("/s");
    expect(rateUnit("quic://x:1")).toBe("/s");
  });

  test("a rate chart is titled by the one unit its groups share, or lists the units it mixes", () => {
    expect(rateTitle(["req/s", "req/s"])).toBe("Requests/s");
    expect(rateTitle(["msg/s"])).toBe("Messages/s");
    expect(rateTitle(["req/s", "msg/s", "req/s", "datagrams/s"])).toBe("Rate (req/s, msg/s, datagrams/s)");
    expect(rateTitle([])).toBe("Rate");
  });
});

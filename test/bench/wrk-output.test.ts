// What the HTTP benches read off wrk: its summary in every time unit, the latency curve a script prints, the merged tail.
import { describe, expect, test } from "bun:test";
import { parseWrkSummary } from "../../bench/load/wrk.ts";
import { mergedPercentile, parseLatencyCurve, wrkScript } from "../../bench/load/wrk-script.ts";
import { countAnswered, spreadConnections } from "../../bench/keepalive-10k.ts";

const SUMMARY = `Running 1m test @ http://127.0.0.1:45197/
  1 threads and 64 connections
  5000 requests in 1.00m, 620.12KB read
  Socket errors: connect 3, read 2, write 1, timeout 4
  Non-2xx or 3xx responses: 10
Requests/sec:     83.33`;

describe("parseWrkSummary", () => {
  test("reads minutes, drops non-2xx from the count and adds every socket error to them", () => {
    expect(parseWrkSummary(SUMMARY)).toEqual({ messages: 4990, seconds: 60, errors: 20 });
  });
  test("reads milliseconds and seconds", () => {
    expect(parseWrkSummary("  12 requests in 250.5ms, 1KB read")?.seconds).toBeCloseTo(0.2505);
    expect(parseWrkSummary("  12 requests in 4.01s, 1KB read")?.seconds).toBeCloseTo(4.01);
  });
  test("null when wrk printed no summary", () => {
    expect(parseWrkSummary("unable to connect to 127.0.0.1:1 Connection refused")).toBeNull();
  });
});

describe("latency curves", () => {
  const curve = (from: number) => Array.from({ length: 101 }, (_, i) => from + i);
  test("a curve needs all 101 points", () => {
    expect(parseLatencyCurve(`x\nlatency-curve ${curve(1).join(",")}\n`)).toEqual(curve(1));
    expect(parseLatencyCurve("latency-curve 1,2,3")).toBeNull();
    expect(parseLatencyCurve("no curve")).toBeNull();
  });
  test("one run merges to its own percentile", () => {
    expect(mergedPercentile([{ requests: 100, curve: curve(1000) }], 99)).toBe(1090);
    expect(mergedPercentile([{ requests: 100, curve: curve(1000) }], 100)).toBe(1100);
  });
  test("two equal runs merge to the same percentile, and a slow heavy run pulls the tail up", () => {
    const same = [
      { requests: 50, curve: curve(1000) },
      { requests: 50, curve: curve(1000) },
    ];
    expect(mergedPercentile(same, 99)).toBe(1090);
    const slow = [
      { requests: 10, curve: curve(1000) },
      { requests: 90, curve: curve(5000) },
    ];
    expect(mergedPercentile(slow, 99)).toBeGreaterThanOrEqual(5000);
    expect(mergedPercentile([{ requests: 0, curve: curve(1) }], 99)).toBeNaN();
  });
  test("the POST script formats its request in init, where wrk has set the Host header", () => {
    const script = wrkScript({ request: { method: "POST", path: "/orders", body: '{"a":1}' }, stopAfter: 5, latencyCurve: true });
    expect(script).toContain('init = function(args) req = wrk.format("POST", "/orders"');
    expect(script).toContain('"{\\"a\\":1}"');
    expect(script).toContain("if seen >= 5 then wrk.thread:stop()");
    expect(script).toContain("latency.max");
  });
});

describe("spreadConnections", () => {
  test("splits evenly, the remainder on the first ones, the total kept", () => {
    expect(spreadConnections(10_000, 4)).toEqual([2500, 2500, 2500, 2500]);
    expect(spreadConnections(10, 4)).toEqual([3, 3, 2, 2]);
    expect(spreadConnections(3, 4)).toEqual([1, 1, 1, 0]);
  });
});

describe("countAnswered", () => {
  test("counts the sockets and, of those, the ones with bytes sent", () => {
    const lines = [
      "0      0      127.0.0.1:80 127.0.0.1:1",
      "\t bbr wscale:10,10 rto:204 bytes_sent:1138936 bytes_acked:1138936 bytes_received:367729",
      "41     0      127.0.0.1:80 127.0.0.1:2",
      "\t bbr wscale:10,10 rto:204 bytes_received:41 segs_in:2",
      "0      0      127.0.0.1:80 127.0.0.1:3",
      "\t bbr wscale:10,10 rto:204 bytes_sent:0 bytes_received:0",
    ];
    expect(countAnswered(lines)).toEqual({ held: 3, answered: 1 });
    expect(countAnswered([])).toEqual({ held: 0, answered: 0 });
  });
});

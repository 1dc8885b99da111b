// The SSE feed as a client reads it, and /metrics as a Prometheus scraper parses it, through app.request().
import { describe, expect, test } from "bun:test";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "../../src/admin/prometheus-text.ts";
import { adminFixture, bearer, json, ORIGIN, login, sessionHeader } from "./admin-fixture.ts";
import { parsePrometheus } from "./prometheus-parser.ts";
import { readSse } from "./sse-reader.ts";

describe("GET /api/events", () => {
  test("streams supervisor events and admin actions as they happen, named by type", async () => {
    using f = adminFixture();
    const response = await f.request("/api/events", { headers: bearer() });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const sse = readSse(response);
    expect((await sse.next((m) => m.event === "hello")).data).toContain(`"pid":${process.pid}`);
    f.ctx.supervisor.emit({
      type: "process-exited",
      pid: 4242,
      group: "web",
      index: 0,
      generation: 1,
      code: null,
      signal: "SIGKILL",
      expected: false,
      stderrTail: [],
    });
    const exited = JSON.parse((await sse.next((m) => m.event === "process-exited")).data);
    expect(exited).toMatchObject({ type: "process-exited", pid: 4242, crashed: true, signal: "SIGKILL" });
    expect(typeof exited.at).toBe("number");
    await f.request("/api/reload", json({ group: "nope" }, bearer()));
    expect(JSON.parse((await sse.next((m) => m.event === "admin-action")).data)).toMatchObject({ action: "reload", target: "nope", actor: "token" });
    sse.close();
  });

  test("a browser session reads it with its X-Session header (the dashboard's streaming fetch)", async () => {
    using f = adminFixture();
    const session = await login(f);
    const sse = readSse(await f.request("/api/events", { headers: { ...sessionHeader(session), Origin: ORIGIN } }));
    await sse.next((m) => m.event === "hello");
    sse.close();
  });
});

describe("GET /metrics", () => {
  test("parses as Prometheus text, with the master's own process figures", async () => {
    using f = adminFixture();
    const response = await f.request("/metrics", { headers: bearer() });
    expect(response.headers.get("content-type")).toBe(PROMETHEUS_CONTENT_TYPE);
    const families = parsePrometheus(await response.text());
    expect(families.get("process_resident_memory_bytes")!.type).toBe("gauge");
    const rss = families.get("process_resident_memory_bytes")!.samples.find((s) => s.labels.group === "master")!;
    expect(rss.labels.pid).toBe(String(process.pid));
    expect(rss.value).toBeGreaterThan(1_000_000);
    expect(families.get("workerman_reloads_total")).toMatchObject({ type: "counter", samples: [{ labels: {}, value: 0 }] });
    expect(families.get("workerman_worker_restarts_total")!.samples).toEqual([{ labels: { group: "web" }, value: 0 }]);
    for (const name of [
      "process_cpu_seconds_total",
      "workerman_connections",
      "workerman_requests_total",
      "workerman_send_fail_total",
      "workerman_idle_closed_total",
      "workerman_timers",
      "workerman_up",
    ]) {
      expect(families.has(name)).toBe(true);
    }
  });

  test("label values are escaped so a strange group name cannot break the format", () => {
    const text = renderPrometheus([{ name: "x", help: "a\\b\nc", type: "gauge", samples: [{ labels: { group: 'we"ird\\\nname' }, value: 1.5 }] }]);
    expect(parsePrometheus(text).get("x")!.samples[0]!.labels.group).toBe('we"ird\\\nname');
  });

  test("the parser itself rejects broken text (so the checks above can fail)", () => {
    expect(() => parsePrometheus('x{a="1} 2\n')).toThrow();
    expect(() => parsePrometheus("# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx 2\n")).toThrow();
    expect(() => parsePrometheus("# TYPE x gauge\nx one\n")).toThrow();
    expect(() => parsePrometheus("# TYPE x gauge\nx 1\nx 1\n")).toThrow();
  });
});

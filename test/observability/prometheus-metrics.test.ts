// /metrics from real workers: the latency histogram and code counters move by exactly the requests sent; lag, errors by callback, app metrics; promtool agrees.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parsePrometheus, type ParsedFamily } from "../admin/prometheus-parser.ts";
import { AppUnderTest, REPO } from "../support/app-under-test.ts";

const WEB = `
import { worker } from "workerman-app";
export default {
  fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/ok") return new Response("ok");
    if (path === "/boom") throw new Error("boom on purpose");
    if (path === "/app") {
      worker.metrics.set("queue.depth", 7);
      worker.metrics.observe("job_seconds", 0.003);
      return new Response("app");
    }
    return new Response("no such page", { status: 404 });
  },
};`;

/** Prints one value per series of a family, e.g. `200=30`, for readable failures. */
function byLabel(family: ParsedFamily | undefined, label: string, suffix?: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of family?.samples ?? []) if (s.suffix === suffix) out[s.labels[label]!] = (out[s.labels[label]!] ?? 0) + s.value;
  return out;
}

export async function scrape(app: AppUnderTest): Promise<{ text: string; families: Map<string, ParsedFamily> }> {
  const text = await (await fetch(`${app.adminUrl}/metrics`, { headers: { Authorization: `Bearer ${app.token}` } })).text();
  return { text, families: parsePrometheus(text) };
}

describe("/metrics traffic families", () => {
  let app: AppUnderTest;
  let base = "";

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [
        { name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" },
        { name: "echo", listen: "text://127.0.0.1:0", count: 1, handler: "./echo.ts" },
      ],
      files: { "web.ts": WEB, "echo.ts": `export default { onMessage(conn, line) { conn.send(line); } };` },
    });
    base = `http://127.0.0.1:${await app.port("web")}`;
  }, 30_000);
  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
  });

  test("the histogram and the code counters move by exactly the requests sent (200s, handler 404s, throwing 500s)", async () => {
    const before = await scrape(app);
    const countBefore = byLabel(before.families.get("workerman_http_request_duration_seconds"), "group", "_count").web ?? 0;
    const sent = { "200": 25, "404": 6, "500": 4 };
    const paths = [...Array(sent["200"]).fill("/ok"), ...Array(sent["404"]).fill("/nope"), ...Array(sent["500"]).fill("/boom")];
    await Promise.all(paths.map((path) => fetch(base + path).then((r) => r.text())));
    const total = paths.length;
    const after = await app.waitFor(
      async () => {
        const s = await scrape(app);
        const count = byLabel(s.families.get("workerman_http_request_duration_seconds"), "group", "_count").web ?? 0;
        return count >= countBefore + total ? s : undefined;
      },
      5000,
      `${total} more requests in the histogram`,
    );
    const histogram = after.families.get("workerman_http_request_duration_seconds")!;
    expect(histogram.type).toBe("histogram");
    expect(byLabel(histogram, "group", "_count")).toEqual({ web: countBefore + total });
    // Buckets are cumulative and end at +Inf == _count.
    const buckets = histogram.samples.filter((s) => s.suffix === "_bucket" && s.labels.group === "web");
    expect(buckets.map((b) => b.labels.le)).toEqual([
      "0.0005",
      "0.001",
      "0.0025",
      "0.005",
      "0.01",
      "0.025",
      "0.05",
      "0.1",
      "0.25",
      "0.5",
      "1",
      "2.5",
      "5",
      "10",
      "+Inf",
    ]);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(buckets.at(-1)!.value).toBe(countBefore + total);
    expect(byLabel(after.families.get("workerman_http_responses_total"), "code")).toEqual(sent);
    const errors = after.families.get("workerman_handler_errors_total")!;
    expect(byLabel(errors, "callback")).toEqual({ fetch: sent["500"] });
    // No series for the echo group in the http families.
    expect(histogram.samples.some((s) => s.labels.group === "echo")).toBe(false);
  });

  test("bytes and messages per group; the event-loop lag per process", async () => {
    const socket = await Bun.connect({ hostname: "127.0.0.1", port: await app.port("echo"), socket: { data() {} } });
    socket.write("one\ntwo\nthree\n");
    const s = await app.waitFor(
      async () => {
        const m = await scrape(app);
        return byLabel(m.families.get("workerman_messages_sent_total"), "group").echo === 3 ? m : undefined;
      },
      5000,
      "3 messages sent by the echo group",
    );
    socket.end();
    expect(byLabel(s.families.get("workerman_messages_received_total"), "group")).toEqual({ echo: 3 });
    expect(byLabel(s.families.get("workerman_received_bytes_total"), "group").echo).toBe("one\ntwo\nthree\n".length);
    expect(byLabel(s.families.get("workerman_sent_bytes_total"), "group").echo).toBe("one\ntwo\nthree\n".length);
    const lag = s.families.get("workerman_event_loop_lag_seconds")!;
    expect(lag.type).toBe("gauge");
    expect(lag.samples.length).toBe(3);
    for (const sample of lag.samples) expect(sample.value).toBeLessThan(0.5);
  });

  test("worker.metrics values appear as workerman_app_<name>{group,pid}, observed ones as a histogram per group", async () => {
    await fetch(`${base}/app`).then((r) => r.text());
    const s = await app.waitFor(
      async () => {
        const m = await scrape(app);
        return m.families.get("workerman_app_queue_depth") && m.families.get("workerman_app_job_seconds") ? m : undefined;
      },
      5000,
      "the app's metrics in /metrics",
    );
    const depth = s.families.get("workerman_app_queue_depth")!;
    expect(depth.type).toBe("gauge");
    expect(depth.samples.length).toBe(1);
    expect(depth.samples[0]!).toMatchObject({ labels: { group: "web" }, value: 7 });
    expect(Number(depth.samples[0]!.labels.pid)).toBeGreaterThan(0);
    const job = s.families.get("workerman_app_job_seconds")!;
    expect(job.type).toBe("histogram");
    expect(byLabel(job, "group", "_count")).toEqual({ web: 1 });
    expect(job.samples.find((x) => x.suffix === "_bucket" && x.labels.le === "0.005")!.value).toBe(1);
    expect(job.samples.find((x) => x.suffix === "_bucket" && x.labels.le === "0.0025")!.value).toBe(0);
  });

  test("every metric name examples/grafana-dashboard.json queries is one /metrics serves", async () => {
    const dashboard = JSON.parse(readFileSync(join(REPO, "examples/grafana-dashboard.json"), "utf8")) as {
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { query?: string }[] };
    };
    const exprs = [...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...dashboard.templating.list.map((t) => t.query ?? "")];
    // A prefix in a regex matcher (workerman_app_.+) ends in "_": it names no metric of its own.
    const used = new Set(exprs.flatMap((e) => e.match(/\b(?:workerman|process)_[a-zA-Z0-9_]+/g) ?? []).filter((n) => !n.endsWith("_")));
    expect(used.size).toBeGreaterThan(10);
    const { families } = await scrape(app);
    const served = new Set([...families].flatMap(([name, f]) => (f.type === "histogram" ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name])));
    expect([...used].filter((name) => !served.has(name))).toEqual([]);
  });

  test("promtool check metrics passes on the whole exposition", async () => {
    if (!Bun.which("promtool")) {
      console.log("skipped: promtool is not installed (Debian: apt-get install prometheus; .ci/run installs it)");
      return;
    }
    const { text } = await scrape(app);
    const check = Bun.spawn(["promtool", "check", "metrics"], { stdin: new Blob([text]), stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(check.stdout).text(), new Response(check.stderr).text(), check.exited]);
    expect(`${out}${err}`.trim()).toBe("");
    expect(code).toBe(0);
  });
});

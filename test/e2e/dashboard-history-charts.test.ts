// The Charts view over a range only the store can serve: real 200s and 500s through a real app, counted into the
// history exactly, then the page reloaded on "1 hour" draws latency, status classes and lag with the API's values.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page, Response } from "playwright-core";
import { formatRate } from "../../admin-ui/format.ts";
import { formatLatency } from "../../admin-ui/process-figures.ts";
import type { HistoryPoint, MetricsHistoryResponse } from "../../src/admin/contract.ts";
import { AppUnderTest, type AppSpec } from "../support/app-under-test.ts";
import { chromiumAvailable, logIn, openBrowser, type BrowserSession } from "../support/browser.ts";
import { expectNothingWithin } from "../support/wait.ts";

/** An http group answering 200 (after ~3 ms) or 500 (a throw), and a websocket group that never answers http. */
const SPEC: AppSpec = {
  workers: [
    { name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" },
    { name: "chat", listen: "websocket://127.0.0.1:0", handler: "./chat.ts" },
  ],
  files: {
    "web.ts": `export default {
      async fetch(request) {
        if (new URL(request.url).pathname === "/boom") throw new Error("boom");
        await Bun.sleep(3);
        return new Response("ok");
      },
    };`,
    "chat.ts": `export default { onMessage(conn, data) { conn.send(data); } };`,
  },
};

function legend(page: Page, title: string) {
  return page.locator("figure.chart", { hasText: title }).evaluate((figure) =>
    Array.from(figure.querySelectorAll(".u-legend .u-series"), (row) => ({
      label: row.querySelector(".u-label")?.textContent?.trim() ?? "",
      value: row.querySelector(".u-value")?.textContent?.trim() ?? "",
    })),
  );
}

async function send(port: number, path: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.text())));
  }
}

/** The newest non-null value of a figure in the group's points: what a legend shows with the pointer off the chart. */
function newest(points: HistoryPoint[], read: (p: HistoryPoint) => number | null | undefined): number | null {
  for (let i = points.length - 1; i >= 0; i--) {
    const v = read(points[i]!);
    if (v != null) return v;
  }
  return null;
}

describe.skipIf(!chromiumAvailable())("dashboard charts from the stored history", () => {
  let app: AppUnderTest;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    app = await AppUnderTest.start(SPEC);
    browser = await openBrowser();
    page = browser.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await app?.[Symbol.asyncDispose]();
  }, 30_000);

  /** The web group's summed per-second rates since `since`, once its newest point is quiet (every report is in). */
  async function webTotals(since: number, atLeast: { ok: number; failed: number }) {
    return app.waitFor(
      async () => {
        const h = await app.api<MetricsHistoryResponse>(`/api/metrics/history?from=${since}&step=1`);
        const points = h.groups.find((g) => g.group === "web")?.points ?? [];
        const total = (read: (p: HistoryPoint) => number) => points.reduce((sum, p) => sum + read(p), 0);
        const s = {
          ok: total((p) => p.responsesPerSecond?.["2xx"] ?? 0),
          failed: total((p) => p.responsesPerSecond?.["5xx"] ?? 0),
          thrown: total((p) => p.handlerErrorsPerSecond ?? 0),
        };
        const quiet = points.at(-1)?.responsesPerSecond?.["2xx"] === 0;
        return quiet && s.ok >= atLeast.ok * 0.95 && s.failed >= atLeast.failed * 0.95 && { ...s, h, points };
      },
      15_000,
      `${atLeast.ok} 2xx and ${atLeast.failed} 5xx in the history`,
    );
  }

  test("the history counts every 200 and 500 once, across a worker restart, and a non-http group has no percentiles", async () => {
    const since = Date.now() - 5000;
    const web = await app.port("web");
    // The first row spans from the master's start to the first tick (over a second): traffic goes after it, into
    // rows of about a second each, so the rates below add back up to the counts.
    await app.waitFor(
      async () =>
        ((await app.api<MetricsHistoryResponse>(`/api/metrics/history?from=${since}&step=1`)).groups.find((g) => g.group === "web")?.points.length ?? 0) >= 2,
      10_000,
      "two history samples of the web group",
    );
    await send(web, "/", 60);
    await send(web, "/boom", 20);
    // Step 1: each point's rates are its counts over the tick's span, about a second (a tick a few ms late reads a
    // percent or so lower), so the sums come back to the counts within that.
    const sums = await webTotals(since, { ok: 60, failed: 20 });
    expect(Math.abs(sums.ok - 60)).toBeLessThanOrEqual(2);
    expect(Math.abs(sums.failed - 20)).toBeLessThanOrEqual(1);
    expect(Math.abs(sums.thrown - 20)).toBeLessThanOrEqual(1);
    const web99 = sums.points.flatMap((p) => (p.latency?.p99 != null ? [p.latency.p99] : []));
    expect(web99.length).toBeGreaterThan(0);
    for (const p99 of web99) expect(p99).toBeGreaterThan(0.0025);
    const chat = sums.h.groups.find((g) => g.group === "chat")!.points;
    expect(chat.every((p) => p.latency!.p99 === null && p.responsesPerSecond === null)).toBe(true);
    expect(chat.some((p) => p.eventLoopLagSeconds !== null)).toBe(true);

    // A restarted worker starts counting from zero: its new counts add up, and nothing goes negative or jumps.
    const [old] = await app.pids("web");
    await app.api(`/api/processes/${old}/restart`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    await app.waitFor(async () => !(await app.pids("web")).includes(old!) && (await app.pids("web")).length === 2, 15_000, "the restarted web worker");
    await send(web, "/", 30);
    await send(web, "/boom", 10);
    const after = await webTotals(since, { ok: 90, failed: 30 });
    expect(Math.abs(after.ok - 90)).toBeLessThanOrEqual(3);
    expect(Math.abs(after.failed - 30)).toBeLessThanOrEqual(1.5);
    for (const p of after.points) for (const rate of Object.values(p.responsesPerSecond ?? {})) expect(rate).toBeGreaterThanOrEqual(0);
  }, 45_000);

  test("reloaded on the 1-hour range (history only), the legends show the API's newest values", async () => {
    const web = await app.port("web");
    let sending = true;
    const load = (async () => {
      while (sending) {
        await send(web, "/", 8);
        await send(web, "/boom", 2);
        await Bun.sleep(100);
      }
    })();
    try {
      const answers: { url: string; body: MetricsHistoryResponse }[] = [];
      page.on("response", (r: Response) => {
        // An answer the page navigated away from has no body to read: only the reloaded page's answers count.
        if (r.url().includes("/api/metrics/history"))
          r.json().then(
            (body) => answers.push({ url: r.url(), body }),
            () => undefined,
          );
      });
      await page.goto(app.adminUrl);
      await logIn(page, app.token);
      await page.goto(`${app.adminUrl}/#/charts?range=1h`);
      await page.reload();
      await page.locator("figure.chart canvas").first().waitFor({ timeout: 15_000 });
      expect(await page.locator('[aria-label="Time range"] button[aria-pressed=true]').textContent()).toBe("1 hour");
      await page.mouse.move(0, 0);

      const shown = await app.waitFor(
        async () => {
          const answer = answers.at(-1);
          if (!answer) return false;
          const points = answer.body.groups.find((g) => g.group === "web")?.points ?? [];
          const expected = {
            latency: ["web p50", "web p99"].map((label, i) => ({ label, value: formatLatency(newest(points, (p) => (i ? p.latency?.p99 : p.latency?.p50))) })),
            codes: (["2xx", "5xx"] as const).map((c) => ({
              label: `web ${c}`,
              value: `${formatRate(newest(points, (p) => p.responsesPerSecond?.[c])!)} req/s`,
            })),
            lag: formatLatency(newest(points, (p) => p.eventLoopLagSeconds)),
          };
          const latency = (await legend(page, "Response time")).slice(1);
          const codes = (await legend(page, "by status class")).slice(1);
          const lag = (await legend(page, "Event-loop lag")).find((r) => r.label === "web")?.value;
          const same = JSON.stringify({ latency, codes, lag }) === JSON.stringify(expected);
          return same && { answer, latency, codes, lag, step: answer.body.step };
        },
        20_000,
        "the legends to show the newest values of the page's history answer",
      );
      // The range the store serves: an hour in 15 s buckets, the page's own request.
      expect(shown.step).toBe(15);
      expect(shown.latency.map((r) => r.value).every((v) => /^[\d.]+ (ms|s)$/.test(v))).toBe(true);
      expect(shown.codes.every((r) => /^[\d.,]+ req\/s$/.test(r.value) && !r.value.startsWith("0 "))).toBe(true);
      // The same request again: every bucket that had ended by its `to` is the same (the last may have gained a row).
      const again = await app.api<MetricsHistoryResponse>(new URL(shown.answer.url).pathname + new URL(shown.answer.url).search);
      const settled = (h: MetricsHistoryResponse) => h.groups.map((g) => ({ group: g.group, points: g.points.slice(0, -1) }));
      expect(settled(again)).toEqual(settled(shown.answer.body));
      expect(browser.problems).toEqual([]);
    } finally {
      sending = false;
      await load;
    }
  }, 60_000);
  test("an idle page reads no status in the background (the tick carries the master's link, store and IPC facts)", async () => {
    await page.click('nav.tabs a[href="#/workers"]');
    await page.locator("[data-table=workers] tbody tr").first().waitFor();
    const reads: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname === "/api/status") reads.push(r.url());
    });
    // The old background read came every 10 s: 11 s with none, while the ticks keep the table live.
    expect(await page.locator("[data-feed]").getAttribute("data-feed")).toBe("live");
    await expectNothingWithin(11_000, () => reads.length > 0, "a background /api/status read");
    expect(browser.problems).toEqual([]);
  }, 30_000);
});

// The Charts view in headless Chromium: legends that show each group's newest value without hovering, rates named
// for each group's kind, and a memory axis on round numbers of its unit.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { AppUnderTest, type AppSpec } from "../support/app-under-test.ts";
import { chromiumAvailable, DASHBOARD_APP, logIn, openBrowser, type BrowserSession } from "../support/browser.ts";

/** The dashboard's app, its web group answering 200, 404 (/missing) or 500 (/boom, a throw) and keeping its own metrics. */
const SPEC: AppSpec = {
  ...DASHBOARD_APP,
  files: {
    ...DASHBOARD_APP.files,
    "web.ts": `export default {
      onWorkerStart(worker) { globalThis.worker = worker; },
      fetch(request) {
        const path = new URL(request.url).pathname;
        globalThis.worker.metrics.inc("orders_placed");
        globalThis.worker.metrics.observe("db_query", 0.004);
        if (path === "/missing") return new Response("no", { status: 404 });
        if (path === "/boom") throw new Error("boom");
        return new Response("ok");
      },
    };`,
  },
};

/** The legend of the chart titled `title`: each series' label and value, as the page shows them. */
function legend(page: Page, title: string) {
  return page.locator("figure.chart", { hasText: title }).evaluate((figure) =>
    Array.from(figure.querySelectorAll(".u-legend .u-series"), (row) => ({
      label: row.querySelector(".u-label")?.textContent?.trim() ?? "",
      value: row.querySelector(".u-value")?.textContent?.trim() ?? "",
    })),
  );
}

describe.skipIf(!chromiumAvailable())("dashboard charts", () => {
  let app: AppUnderTest;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    app = await AppUnderTest.start(SPEC);
    browser = await openBrowser();
    page = browser.page;
    await page.goto(app.adminUrl);
    await logIn(page, app.token);
    await page.click('nav.tabs a[href="#/charts"]');
    await page.locator("figure.chart canvas").first().waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await app?.[Symbol.asyncDispose]();
  }, 30_000);

  test("legends show every group's newest value with the pointer off the charts, in the group's unit", async () => {
    await page.mouse.move(0, 0);
    const memory = await app.waitFor(
      async () => {
        const rows = await legend(page, "Memory");
        return rows.length === 4 && rows.slice(1).every((r) => /MiB$/.test(r.value)) && rows;
      },
      15_000,
      "a memory value for each group in the legend",
    );
    expect(memory.map((r) => r.label)).toEqual(["Time", "web", "chat", "echo"]);
    const lag = await legend(page, "Event-loop lag");
    expect(lag.map((r) => r.label)).toEqual(["Time", "web", "chat", "echo"]);
    for (const row of lag.slice(1)) expect(row.value).toMatch(/^[\d.]+ (ms|s)$/);
    expect(memory[0]!.value).toMatch(/^\d\d:\d\d:\d\d$/);
    const rate = await legend(page, "Rate (");
    expect(await page.locator("figure.chart figcaption").first().textContent()).toBe("Rate (req/s, msg/s) per group");
    expect(rate.find((r) => r.label === "web")!.value).toMatch(/^[\d.,]+ req\/s$/);
    expect(rate.find((r) => r.label === "chat")!.value).toMatch(/^[\d.,]+ msg\/s$/);
    expect(rate.find((r) => r.label === "echo")!.value).toMatch(/^[\d.,]+ msg\/s$/);
  }, 30_000);

  test("the memory axis ticks on round numbers of one unit (25 / 50 / 75 MiB), from 0", async () => {
    const labels = await app.waitFor(
      async () => {
        const raw = await page.locator("figure.chart", { hasText: "Memory" }).getAttribute("data-y-labels");
        const list = raw ? (JSON.parse(raw) as string[]) : [];
        return list.length >= 3 && list;
      },
      15_000,
      "the memory axis drawn",
    );
    expect(labels[0]).toBe("0");
    const values = labels.slice(1).map((l) => {
      const [n, unit] = l.split(" ");
      expect(unit).toBe(labels[1]!.split(" ")[1]);
      return Number(n);
    });
    const step = values[0]!;
    expect([1, 2, 2.5, 5].some((f) => [0.01, 0.1, 1, 10, 100].some((p) => Math.abs(step - f * p) < 1e-9))).toBe(true);
    values.forEach((v, i) => expect(v).toBeCloseTo(step * (i + 1), 9));
    expect(browser.problems).toEqual([]);
  });

  test("http response times and status-class rates are drawn per group, and the app's own metrics have their panel", async () => {
    const web = await app.port("web");
    let sending = true;
    const load = (async () => {
      while (sending) {
        await Promise.all(["/", "/", "/", "/missing", "/boom"].map((path) => fetch(`http://127.0.0.1:${web}${path}`).then((r) => r.text())));
        await Bun.sleep(50);
      }
    })();
    try {
      const codes = await app.waitFor(
        async () => {
          const rows = await legend(page, "by status class");
          const named = (cls: string) => rows.find((r) => r.label === `web ${cls}`)?.value ?? "";
          return ["2xx", "4xx", "5xx"].every((cls) => /^[\d.,]+ req\/s$/.test(named(cls)) && !/^0 /.test(named(cls))) && rows;
        },
        20_000,
        "web 2xx, 4xx and 5xx rates in the legend",
      );
      expect(codes.map((r) => r.label)).toEqual(["Time", "web 2xx", "web 4xx", "web 5xx"]);
      const latency = await legend(page, "Response time");
      expect(latency.map((r) => r.label)).toEqual(["Time", "web p50", "web p99"]);
      for (const row of latency.slice(1)) expect(row.value).toMatch(/^[\d.]+ (ms|s)$/);
    } finally {
      sending = false;
      await load;
    }
    const panel = page.locator("[data-panel=app-metrics]");
    await panel.locator("[data-table=app-values] tr[data-metric=orders_placed]").waitFor({ timeout: 10_000 });
    const count = await panel.locator("tr[data-histogram=db_query] td:nth-child(3)").textContent();
    expect(Number(count!.replace(/,/g, ""))).toBeGreaterThan(0);
    expect(browser.problems).toEqual([]);
  }, 60_000);
});

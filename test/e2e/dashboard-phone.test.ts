// The dashboard at a phone's 390 px in headless Chromium: every view keeps every button, link and field on screen,
// and the overview leaves most of the first screen to the view below it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { AppUnderTest } from "../support/app-under-test.ts";
import { chromiumAvailable, DASHBOARD_APP, logIn, offScreen, openBrowser, type BrowserSession } from "../support/browser.ts";
import { wsClient, type WsClient } from "../support/clients.ts";

const WIDTH = 390;

/** Each view with what shows once its data is in (a table row, a list line, a chart). */
const VIEWS = [
  { tab: "workers", ready: "[data-table=workers] tbody tr" },
  { tab: "connections", ready: "[data-table=connections] tbody tr" },
  { tab: "timers", ready: "[data-table=timers] tbody tr" },
  { tab: "charts", ready: "figure.chart canvas" },
  { tab: "events", ready: "[data-list=events] li" },
  { tab: "logs", ready: "[data-list=logs] li" },
  { tab: "configs", ready: "[data-table=configs] tbody tr" },
  { tab: "cluster", ready: "[data-table=cluster-workers] tbody tr" },
] as const;

describe.skipIf(!chromiumAvailable())("dashboard at 390 px", () => {
  let app: AppUnderTest;
  let browser: BrowserSession;
  let page: Page;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    app = await AppUnderTest.start(DASHBOARD_APP);
    browser = await openBrowser({ width: WIDTH, height: 844 });
    page = browser.page;
    await page.goto(app.adminUrl);
    await logIn(page, app.token);
    clients.push(await wsClient(`ws://127.0.0.1:${await app.port("chat")}/`));
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.ws.close();
    await browser?.[Symbol.asyncDispose]();
    await app?.[Symbol.asyncDispose]();
  }, 30_000);

  test("no button, link or field of any view lies outside the viewport's width", async () => {
    const found: Record<string, string[]> = {};
    for (const view of VIEWS) {
      await page.click(`nav.tabs a[href="#/${view.tab}"]`);
      await page.locator(view.ready).first().waitFor({ timeout: 15_000 });
      found[view.tab] = await offScreen(page, WIDTH);
    }
    // A kept config opened, and two of them compared, are views of their own.
    await page.click('nav.tabs a[href="#/configs"]');
    await page.locator("[data-table=configs] tbody tr button[data-action=show]").first().click();
    await page.locator("[data-config-shown]").waitFor();
    found["configs (shown)"] = await offScreen(page, WIDTH);
    await page.click("[data-config-shown] button:has-text('Close')");
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
    expect(browser.problems).toEqual([]);
  }, 90_000);

  test("the overview takes at most a quarter of the first screen: the tabs start above it", async () => {
    await page.click('nav.tabs a[href="#/workers"]');
    await page.evaluate(() => scrollTo(0, 0));
    const top = await page.locator("nav.tabs").evaluate((nav) => nav.getBoundingClientRect().top);
    expect(top).toBeLessThan(844 / 4);
  });

  test("the check sees a cut-off button: one pushed past the edge is reported", async () => {
    await page.click('nav.tabs a[href="#/timers"]');
    await page.locator("[data-table=timers] tbody tr").first().waitFor();
    const button = page.locator("[data-table=timers] td.actions button").first();
    await button.evaluate((b) => (b.style.marginLeft = "600px"));
    try {
      expect((await offScreen(page, WIDTH)).some((line) => line.startsWith('button "Delete"'))).toBe(true);
    } finally {
      await button.evaluate((b) => (b.style.marginLeft = ""));
    }
  });
});

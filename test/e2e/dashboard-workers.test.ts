// The Workers view in headless Chromium with a group that errors: errors per process and per group, each group's
// total row, and rates named for the group's kind.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { AppUnderTest, type AppSpec } from "../support/app-under-test.ts";
import { chromiumAvailable, logIn, openBrowser, type BrowserSession } from "../support/browser.ts";

const SPEC: AppSpec = {
  workers: [
    { name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" },
    { name: "broken", listen: "http://127.0.0.1:0", handler: "./broken.ts" },
    { name: "chat", listen: "websocket://127.0.0.1:0", handler: "./chat.ts" },
  ],
  files: {
    "web.ts": `export default { fetch: () => new Response("ok") };`,
    "broken.ts": `export default { fetch() { throw new Error("the database is down"); } };`,
    "chat.ts": `export default { onMessage(conn, data) { conn.send(data); } };`,
  },
};

/** Cell text by column (data-col) of a row, as shown. */
function cells(page: Page, row: string) {
  return page
    .locator(row)
    .evaluate((tr) =>
      Object.fromEntries(
        Array.from(tr.querySelectorAll("[data-col]"), (cell) => [cell.getAttribute("data-col")!, cell.textContent!.replace(/\s+/g, " ").trim()]),
      ),
    );
}

describe.skipIf(!chromiumAvailable())("dashboard Workers view with a group that errors", () => {
  let app: AppUnderTest;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    app = await AppUnderTest.start(SPEC);
    browser = await openBrowser();
    page = browser.page;
    await page.goto(app.adminUrl);
    await logIn(page, app.token);
  }, 60_000);

  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await app?.[Symbol.asyncDispose]();
  }, 30_000);

  test("the erroring group's process and total rows count its errors, highlighted; the healthy group's stay at 0", async () => {
    const broken = await app.port("broken");
    const web = await app.port("web");
    for (let i = 0; i < 5; i++) expect((await fetch(`http://127.0.0.1:${broken}/`)).status).toBe(500);
    for (let i = 0; i < 5; i++) expect((await fetch(`http://127.0.0.1:${web}/`)).status).toBe(200);
    // Errors reach the table with the status refresh (every 10 s) or at once on a reload of the page's data: wait for it.
    await page.locator("tr[data-group-total=broken] [data-col=errors]", { hasText: "5" }).waitFor({ timeout: 20_000 });
    const pid = (await app.pids("broken"))[0]!;
    expect(await cells(page, `tr[data-pid="${pid}"]`)).toMatchObject({ group: "broken#0", errors: "5" });
    expect(await page.locator(`tr[data-pid="${pid}"] [data-col=errors]`).getAttribute("class")).toContain("bad-figure");
    expect(await page.locator("tr[data-group-total=broken] [data-col=errors]").getAttribute("class")).toContain("bad-figure");
    const webTotal = await cells(page, "tr[data-group-total=web]");
    expect(webTotal).toMatchObject({ group: "web total", state: "2/2 up", errors: "0" });
    expect(await page.locator("tr[data-group-total=web] [data-col=errors]").getAttribute("class")).not.toContain("bad-figure");
  }, 40_000);

  test("each group's rows close with its total row, and rates are named for the kind: req/s for http, msg/s for websocket", async () => {
    const order = await page
      .locator("[data-table=workers] tbody tr")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-group-total") ?? r.querySelector("[data-col=group]")!.textContent));
    expect(order).toEqual(["web#0", "web#1", "web", "broken#0", "broken", "chat#0", "chat"]);
    expect((await cells(page, "tr[data-group-total=web]")).rate).toMatch(/^[\d.,]+ req\/s$/);
    expect((await cells(page, "tr[data-group-total=chat]")).rate).toMatch(/^[\d.,]+ msg\/s$/);
    expect(browser.problems).toEqual([]);
  });
});

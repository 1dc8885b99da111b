// The Workers view in headless Chromium with a group that errors: 5xx and thrown errors, p50/p99 and event-loop lag per
// process and per group (each group's total row), and rates named for the group's kind.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { AppUnderTest, type AppSpec } from "../support/app-under-test.ts";
import { chromiumAvailable, logIn, openBrowser, type BrowserSession } from "../support/browser.ts";

const SPEC: AppSpec = {
  workers: [
    { name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" },
    { name: "broken", listen: "http://127.0.0.1:0", handler: "./broken.ts" },
    { name: "chat", listen: "websocket://127.0.0.1:0", handler: "./chat.ts" },
    { name: "slow", listen: "http://127.0.0.1:0", handler: "./slow.ts" },
  ],
  files: {
    "web.ts": `export default { fetch: () => new Response("ok") };`,
    "broken.ts": `export default { fetch() { throw new Error("the database is down"); } };`,
    "chat.ts": `export default { onMessage(conn, data) { conn.send(data); } };`,
    // Blocks its event loop for 300 ms on each request: the lag a CPU-bound handler causes.
    "slow.ts": `export default { fetch() { const end = Date.now() + 300; while (Date.now() < end); return new Response("slow"); } };`,
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

  test("the erroring group's process and total rows count its 5xx answers and thrown errors, in red; the healthy group's stay at 0 with its latency", async () => {
    const broken = await app.port("broken");
    const web = await app.port("web");
    for (let i = 0; i < 5; i++) expect((await fetch(`http://127.0.0.1:${broken}/`)).status).toBe(500);
    for (let i = 0; i < 5; i++) expect((await fetch(`http://127.0.0.1:${web}/`)).status).toBe(200);
    // The figures come with the live feed's tick, every second.
    await page.locator("tr[data-group-total=broken] [data-col=http5xx]", { hasText: "5" }).waitFor({ timeout: 10_000 });
    const pid = (await app.pids("broken"))[0]!;
    expect(await cells(page, `tr[data-pid="${pid}"]`)).toMatchObject({ group: "broken#0", http5xx: "5", thrown: "5" });
    expect(await cells(page, "tr[data-group-total=broken]")).toMatchObject({ http5xx: "5", thrown: "5" });
    for (const col of ["http5xx", "thrown"]) {
      expect(await page.locator(`tr[data-pid="${pid}"] [data-col=${col}]`).getAttribute("class")).toContain("bad-figure");
      expect(await page.locator(`tr[data-group-total=broken] [data-col=${col}]`).getAttribute("class")).toContain("bad-figure");
    }
    const webTotal = await app.waitFor(
      async () => {
        const row = await cells(page, "tr[data-group-total=web]");
        return /ms$/.test(row.p99 ?? "") && row;
      },
      10_000,
      "the web group's p99",
    );
    expect(webTotal).toMatchObject({ group: "web total", state: "2/2 up", http5xx: "0", thrown: "0" });
    expect(webTotal.p50).toMatch(/^[\d.]+ ms$/);
    expect(await page.locator("tr[data-group-total=web] [data-col=http5xx]").getAttribute("class")).not.toContain("bad-figure");
    // A websocket group has no response times: a dash, not a zero.
    expect((await cells(page, "tr[data-group-total=chat]")).p99).toBe("–");
  }, 40_000);

  test("a process whose handler blocks its event loop has its lag highlighted; the others' is not", async () => {
    const slow = await app.port("slow");
    const pid = (await app.pids("slow"))[0]!;
    const lag = page.locator(`tr[data-pid="${pid}"] [data-col=lag]`);
    let blocking = true;
    // Keep blocking until the page shows it: the lag reported is the worst of the last second.
    const load = (async () => {
      while (blocking) await fetch(`http://127.0.0.1:${slow}/`).then((r) => r.text());
    })();
    try {
      await page
        .locator(`tr[data-pid="${pid}"] [data-col=lag][data-lag=warn], tr[data-pid="${pid}"] [data-col=lag][data-lag=bad]`)
        .waitFor({ timeout: 15_000 });
    } finally {
      blocking = false;
      await load;
    }
    expect(await lag.getAttribute("class")).toMatch(/warn-figure|bad-figure/);
    expect(await lag.textContent()).toMatch(/^\d+ ms$/);
    const webPid = (await app.pids("web"))[0]!;
    // A loaded machine can lag every process past 100 ms for a moment: the idle one must read ok once it has a quiet second.
    await page.locator(`tr[data-pid="${webPid}"] [data-col=lag][data-lag=ok]`).waitFor({ timeout: 10_000 });
  }, 30_000);

  test("each group's rows close with its total row, and rates are named for the kind: req/s for http, msg/s for websocket", async () => {
    const order = await page
      .locator("[data-table=workers] tbody tr")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-group-total") ?? r.querySelector("[data-col=group]")!.textContent));
    expect(order).toEqual(["web#0", "web#1", "web", "broken#0", "broken", "chat#0", "chat", "slow#0", "slow"]);
    expect((await cells(page, "tr[data-group-total=web]")).rate).toMatch(/^[\d.,]+ req\/s$/);
    expect((await cells(page, "tr[data-group-total=chat]")).rate).toMatch(/^[\d.,]+ msg\/s$/);
    expect(browser.problems).toEqual([]);
  });

  test("errors, p99 and lag move with the live feed alone: with every status read refused, new 5xx answers still show within seconds", async () => {
    const broken = await app.port("broken");
    await page.locator("tr[data-group-total=broken] [data-col=http5xx]").waitFor();
    const before = Number((await cells(page, "tr[data-group-total=broken]")).http5xx);
    await page.route("**/api/status", (route) => route.abort());
    try {
      for (let i = 0; i < 3; i++) expect((await fetch(`http://127.0.0.1:${broken}/`)).status).toBe(500);
      const pid = (await app.pids("broken"))[0]!;
      await app.waitFor(
        async () => {
          const [row, total] = [await cells(page, `tr[data-pid="${pid}"]`), await cells(page, "tr[data-group-total=broken]")];
          return Number(total.http5xx) === before + 3 && Number(row.http5xx) === before + 3 && Number(row.thrown) === before + 3;
        },
        10_000,
        "the broken group's 5xx and thrown counts up by 3 from the tick",
      );
    } finally {
      await page.unroute("**/api/status");
    }
  }, 30_000);
});

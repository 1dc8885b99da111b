// The dashboard for a busy operator, in headless Chromium: the live log view, chart labels that never overlap,
// the events filter, and tables that keep their key numbers on screen at a phone's 390 px.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { AppUnderTest, type AppSpec } from "../support/app-under-test.ts";
import { chromiumAvailable, logIn, openBrowser, type BrowserSession } from "../support/browser.ts";
import type { ReloadRecord } from "../../src/master/records.ts";
import { wsClient, type WsClient } from "../support/clients.ts";

const SPEC: AppSpec = {
  workers: [
    { name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts" },
    { name: "chat", listen: "websocket://127.0.0.1:0", count: 2, handler: "./chat.ts" },
  ],
  files: {
    "web.ts": `export default { fetch(request) { console.log("served " + new URL(request.url).search); return new Response("ok"); } };`,
    "chat.ts": `export default { onConnect(conn) { console.log("chat client " + conn.id); }, onMessage(conn, data) { conn.send(data); } };`,
  },
};

/** The chart's x labels as drawn, each with the width its text takes in the axis font. */
function xLabels(page: Page) {
  return page.locator("figure.chart[data-x-labels]").evaluateAll((figures) => {
    const ctx = document.createElement("canvas").getContext("2d")!;
    ctx.font = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    return figures.map((f) =>
      (JSON.parse(f.getAttribute("data-x-labels")!) as { text: string; x: number }[]).map((l) => ({ ...l, width: ctx.measureText(l.text).width })),
    );
  });
}

async function expectLabelsApart(page: Page, app: AppUnderTest): Promise<void> {
  // A chart shows as many labels as its time span allows: wait until the live data spans at least two on each.
  const charts = await app.waitFor(
    async () => {
      const all = await xLabels(page);
      // Rate, connections and memory; and, once the web group has answered, its response times and status codes.
      return all.length >= 3 && all.every((labels) => labels.length >= 2) && all;
    },
    30_000,
    "two x labels on every chart",
  );
  for (const labels of charts) {
    for (const label of labels) expect(label.text).toMatch(/^\d\d:\d\d(:\d\d)?$/);
    for (let i = 1; i < labels.length; i++) {
      const gap = labels[i]!.x - labels[i - 1]!.x - (labels[i]!.width + labels[i - 1]!.width) / 2;
      if (gap < 4) console.error("labels too close:", JSON.stringify(labels));
      expect(gap).toBeGreaterThanOrEqual(4);
    }
  }
}

/** Right edges (CSS px) of the cells matching `selector` in the first row of `table`, and whether the wrapper scrolls sideways. */
function layout(page: Page, table: string, selectors: string[]) {
  return page.locator(`[data-table=${table}]`).evaluate((el, selectors) => {
    const row = el.querySelector("tbody tr")!;
    const wrap = el.closest(".table-wrap")!;
    return {
      scrolls: wrap.scrollWidth > wrap.clientWidth + 1,
      cells: selectors.map((s) => {
        const cell = row.querySelector(s) as HTMLElement | null;
        const box = cell?.getBoundingClientRect();
        return {
          selector: s,
          right: box ? box.right : Infinity,
          shown: !!box && box.width > 0 && getComputedStyle(cell!).display !== "none",
          text: cell?.textContent?.trim(),
        };
      }),
    };
  }, selectors);
}

describe.skipIf(!chromiumAvailable())("dashboard for a busy operator", () => {
  let app: AppUnderTest;
  let browser: BrowserSession;
  let page: Page;
  const clients: WsClient[] = [];
  let chatReload: ReloadRecord | undefined;

  beforeAll(async () => {
    app = await AppUnderTest.start(SPEC);
    browser = await openBrowser();
    page = browser.page;
    await page.goto(app.adminUrl);
    await logIn(page, app.token);
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) c.ws.close();
    await browser?.[Symbol.asyncDispose]();
    await app?.[Symbol.asyncDispose]();
  }, 30_000);

  test("Logs: a line a handler prints appears live; group, pid and text filters narrow it", async () => {
    await page.click("nav.tabs >> text=Logs");
    const web = await app.port("web");
    await fetch(`http://127.0.0.1:${web}/?marker=first`);
    const list = page.locator("[data-list=logs]");
    await list.locator("li", { hasText: "served ?marker=first" }).waitFor({ timeout: 10_000 });
    const line = (await list.locator("li", { hasText: "served ?marker=first" }).textContent())!;
    expect(line).toMatch(/\[web#\d \d+\] served \?marker=first/);

    // Filter to chat: the web line goes, a chat line arrives.
    await page.selectOption("[data-filter=group]", "chat");
    clients.push(await wsClient(`ws://127.0.0.1:${await app.port("chat")}`));
    await list.locator("li", { hasText: "chat client" }).first().waitFor({ timeout: 10_000 });
    expect(await list.locator("li", { hasText: "served" }).count()).toBe(0);
    expect(await list.locator("li").evaluateAll((lis) => lis.every((li) => li.getAttribute("data-group") === "chat"))).toBe(true);

    // Back to all, then a text filter that matches one request only.
    await page.selectOption("[data-filter=group]", "");
    await fetch(`http://127.0.0.1:${web}/?marker=second`);
    await list.locator("li", { hasText: "marker=second" }).waitFor({ timeout: 10_000 });
    await page.fill("section[aria-labelledby=logs-title] [data-filter=text]", "marker=second");
    await app.waitFor(async () => (await list.locator("li").count()) === 1, 5000, "one line left");
    // The master's own lines are there too, under the "master" group.
    await page.fill("section[aria-labelledby=logs-title] [data-filter=text]", "");
    await page.selectOption("[data-filter=group]", "master");
    await list.locator("li[data-group=master]").first().waitFor({ timeout: 10_000 });
  }, 40_000);

  test("Events: the kind and text filters narrow the list and say how many are shown", async () => {
    await page.click("nav.tabs >> text=Events");
    const rows = page.locator("[data-list=events] li");
    await rows.first().waitFor();
    const total = await rows.count();
    const pid = (await app.pids("web"))[0]!;
    await page.fill("section[aria-labelledby=events-title] [data-filter=text]", String(pid));
    await page.locator("[data-shown-events]").waitFor();
    const shown = await rows.allTextContents();
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(total);
    for (const text of shown) expect(text).toContain(String(pid));

    await page.fill("section[aria-labelledby=events-title] [data-filter=text]", "");
    await page.selectOption("[data-filter=kind]", "reloads");
    await page.locator("text=No event matches the filter.").waitFor();
    chatReload = await app.api<ReloadRecord>("/api/reload", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ group: "chat" }),
    });
    await rows.first().waitFor({ timeout: 15_000 });
    expect(await rows.evaluateAll((lis) => lis.every((li) => li.getAttribute("data-type")!.startsWith("reload")))).toBe(true);
    await page.selectOption("[data-filter=kind]", "");
  }, 40_000);

  test("Charts: one-line time labels that never overlap, at desktop and phone widths", async () => {
    await page.click("nav.tabs >> text=Charts");
    await expectLabelsApart(page, app);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await expectLabelsApart(page, app);
    await page.click("button:has-text('1 hour')");
    await page.waitForTimeout(300);
    await expectLabelsApart(page, app);
    await page.setViewportSize({ width: 1280, height: 860 });
  }, 120_000);

  test("at 390 px the workers and connections tables show their key numbers without sideways scrolling", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.click("nav.tabs >> text=Workers");
      await page.locator("[data-table=workers] tbody tr").first().waitFor();
      const workers = await layout(
        page,
        "workers",
        ["group", "state", "http5xx", "thrown", "p99"].map((col) => `td[data-col=${col}]`).concat("td.actions button"),
      );
      expect(workers.scrolls).toBe(false);
      expect(workers.cells.filter((cell) => !cell.shown || cell.right > 390)).toEqual([]);
      expect(workers.cells[3]!.text).toMatch(/^\d+$/);
      // The groups table above it too (listen addresses may break, the table may not scroll).
      expect(await page.locator(".table-wrap").evaluateAll((wraps) => wraps.filter((w) => w.scrollWidth > w.clientWidth + 1).length)).toBe(0);

      // The Logs test's client is gone by now: the Events test reloaded chat, and the old processes close their
      // connections once the new ones are healthy (a few seconds; a Charts test slowed by a busy machine outlasts them).
      // A client of the new processes gives the list a row whatever the timing.
      await app.waitFor(
        async () => {
          const reload = await app.api<ReloadRecord>(`/api/reloads/${chatReload!.id}`);
          return reload.state !== "running" || !["starting", "settling"].includes(reload.groups.find((g) => g.name === "chat")!.phase);
        },
        20_000,
        "the chat reload past its settle window",
      );
      const client = await wsClient(`ws://127.0.0.1:${await app.port("chat")}`);
      clients.push(client);
      client.ws.send("hello");
      await client.next((m) => m === "hello");
      await page.click("nav.tabs >> text=Connections");
      await page.locator("[data-table=connections] tbody tr").first().waitFor({ timeout: 10_000 });
      const conns = await layout(page, "connections", ["td:nth-child(1)", "td:nth-child(4)", "td:nth-child(6)", "td.bytes", "td.actions button"]);
      expect(conns.scrolls).toBe(false);
      expect(conns.cells.filter((cell) => !cell.shown || cell.right > 390)).toEqual([]);
      expect(browser.problems).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  }, 60_000);
});

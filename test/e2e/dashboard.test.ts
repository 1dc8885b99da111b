// The dashboard in headless Chromium against the real master (from source): login, workers, reload, connections, charts, timers.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { AppUnderTest, livePids } from "../support/app-under-test.ts";
import { chromiumAvailable, DASHBOARD_APP, liveChartPixels, logIn, openBrowser, shownPids, workerRows, type BrowserSession } from "../support/browser.ts";
import { wsClient } from "../support/clients.ts";
import { settlesWithin } from "../support/wait.ts";

// The browser suites below are skipped without Chromium; this line makes that loud instead of a quiet pass.
test("Debian's chromium is installed for the browser tests (apt-get install chromium)", () => {
  expect(chromiumAvailable()).toBe(true);
});

describe.skipIf(!chromiumAvailable())("dashboard in a real browser (from source)", () => {
  let app: AppUnderTest;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    app = await AppUnderTest.start(DASHBOARD_APP);
    browser = await openBrowser();
    page = browser.page;
  }, 30_000);

  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await app?.[Symbol.asyncDispose]();
  }, 30_000);

  test("a wrong token is refused with a clear message, and nothing is shown", async () => {
    await page.goto(app.adminUrl);
    await page.fill("#token", "not-the-token-0123456789abcdef");
    await page.click("button[type=submit]");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("Wrong token");
    expect(await page.locator("[data-table=workers]").count()).toBe(0);
    // The master saw a refused secret, not a missing one.
    const audit = await app.api<{ items: { action: string; result: string }[] }>("/api/audit");
    expect(audit.items.some((a) => a.action === "login" && a.result.startsWith("refused"))).toBe(true);
  });

  test("log in with the token: one row per running process, with the master's pids", async () => {
    await logIn(page, app.token);
    const expected = (await app.status()).processes
      .filter((p) => p.state !== "exited")
      .map((p) => p.pid)
      .sort();
    expect(expected.length).toBe(5);
    await app.waitFor(async () => JSON.stringify(await shownPids(page)) === JSON.stringify(expected), 5000, "the workers table to list every pid");
    const rows = await workerRows(page);
    expect(rows.map((r) => r.group).sort()).toEqual(["chat#0", "chat#1", "echo#0", "web#0", "web#1"]);
    expect(rows.every((r) => r.state === "ready")).toBe(true);
    const master = (await app.status()).master;
    expect(await page.locator("[data-fact=pid]").textContent()).toBe(String(master.pid));
    // The warning shows exactly when the kernel setting is 0 (dashboard-sysctl.test.ts sees it shown).
    expect(await page.locator("[data-warning=tcp_migrate_req]").count()).toBe(master.tcpMigrateReq === 0 ? 1 : 0);
    // The live feed is open (SSE), so the numbers move without polling.
    await page.locator("[data-feed=live]").waitFor({ timeout: 5000 });
  });

  test("Reload all asks first, then the table shows new pids for every reloadable process", async () => {
    const before = await workerRows(page);
    const echoPid = before.find((r) => r.group === "echo#0")!.pid;
    const reloadable = before.filter((r) => r.group !== "echo#0").map((r) => r.pid);
    // Keyboard only: Esc cancels (nothing happens), Enter on the focused confirm button goes ahead.
    await page.focus("[data-action=reload-all]");
    await page.keyboard.press("Enter");
    const dialog = page.locator("dialog.confirm");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("Reload all groups?");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await page.locator("[data-progress]").count()).toBe(0);
    await page.keyboard.press("Enter");
    await dialog.waitFor();
    await page.keyboard.press("Enter");
    await page.locator("[data-progress-result]").waitFor({ timeout: 15_000 });
    expect(await page.locator("[data-progress-result]").textContent()).toContain("4 replaced, 0 failed");
    const after = await app.waitFor(
      async () => {
        const rows = (await workerRows(page)).filter((r) => r.state === "ready");
        return rows.length === 5 && rows.every((r) => r.group === "echo#0" || !reloadable.includes(r.pid)) ? rows : undefined;
      },
      15_000,
      "new pids in the workers table",
    );
    // reloadable: false keeps its process; the table agrees with the master.
    expect(after.find((r) => r.group === "echo#0")!.pid).toBe(echoPid);
    const master = livePids((await app.status()).processes.filter((p) => p.state === "ready")).sort();
    expect(after.map((r) => r.pid).sort()).toEqual(master);
    expect(after.filter((r) => r.group !== "echo#0").every((r) => r.generation === 2)).toBe(true);
  });

  test("Restart on one row replaces just that process", async () => {
    const before = await workerRows(page);
    const target = before.find((r) => r.group === "web#0" && r.state === "ready")!;
    await page.getByRole("button", { name: `Restart process ${target.pid}` }).click();
    await page.locator("dialog.confirm button[type=submit]").click();
    await page.locator("[data-progress-result]").waitFor({ timeout: 15_000 });
    const after = await app.waitFor(
      async () => {
        const rows = (await workerRows(page)).filter((r) => r.state === "ready");
        return rows.length === 5 && !rows.some((r) => r.pid === target.pid) ? rows : undefined;
      },
      10_000,
      "web#0 replaced",
    );
    const others = (rows: typeof before) =>
      rows
        .filter((r) => r.group !== "web#0" && r.state === "ready")
        .map((r) => r.pid)
        .sort();
    expect(others(after)).toEqual(others(before));
  });

  test("a WebSocket client shows in the connections table, and Close there closes the client", async () => {
    const client = await wsClient(`ws://127.0.0.1:${await app.port("chat")}/`);
    try {
      const [, id, pid] = /^hello #(\d+) pid (\d+)$/.exec(await client.next())!;
      await page.click('a[href="#/connections"]');
      const row = page.locator(`tr[data-connection="${pid}/${id}"]`);
      await row.waitFor({ timeout: 5000 });
      expect(await row.textContent()).toContain("chat");
      await row.getByRole("button", { name: "Close" }).click();
      await page.locator("dialog.confirm button[type=submit]").click();
      const closed = await settlesWithin(client.closed, 5000);
      expect(closed).toBe(true);
      await row.waitFor({ state: "detached", timeout: 5000 });
      expect(
        await page
          .getByRole("status")
          .filter({ hasText: `Closed connection ${id}` })
          .count(),
      ).toBe(1);
    } finally {
      client.ws.close();
    }
  });

  test("the timers view lists a handler's timer and deletes it", async () => {
    await page.click('a[href="#/timers"]');
    const rows = page.locator("[data-table=timers] tbody tr");
    await rows.first().waitFor({ timeout: 5000 });
    const count = await rows.count();
    expect(count).toBe(2); // one per chat process
    await rows.first().getByRole("button", { name: "Delete" }).click();
    await page.locator("dialog.confirm button[type=submit]").click();
    await app.waitFor(async () => (await rows.count()) === count - 1, 5000, "one timer fewer");
  });

  test("the charts draw live points for each group", async () => {
    // Some traffic, so the requests/s line is not flat at zero.
    const web = await app.port("web");
    for (let i = 0; i < 20; i++) await (await fetch(`http://127.0.0.1:${web}/`)).text();
    await page.click('a[href="#/charts"]');
    const chart = page.locator("figure.chart").first();
    await chart.waitFor();
    await app.waitFor(async () => Number(await chart.getAttribute("data-points")) >= 3, 8000, "three points on the chart");
    expect(await chart.locator(".u-legend").textContent()).toContain("web");
    // What a user sees: the series colours are actually painted on the canvas.
    expect(await liveChartPixels(page)).toBeGreaterThan(50);
  });

  test("no Content-Security-Policy violation or script error on any view", async () => {
    await page.click('a[href="#/events"]');
    await page.locator("[data-list=events] li").first().waitFor();
    expect(await page.locator("[data-list=events]").textContent()).toContain("reload to generation 2 finished");
    // The only console errors allowed are the two 401s of the refused token and the check before login.
    expect(browser.problems.filter((p) => !p.includes("401"))).toEqual([]);
  });

  test("Log out ends the session: the login form returns, also after a page reload", async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await page.locator("#token").waitFor();
    await page.reload();
    await page.locator("#token").waitFor();
    expect(await page.locator("[data-table=workers]").count()).toBe(0);
  });
});

describe.skipIf(!chromiumAvailable())("dashboard across a master restart", () => {
  test("the page sees the master go, asks for the new master's token, and shows the new master live", async () => {
    // The same admin address for both masters, as after `workerman-app restart`.
    const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const port = probe.port;
    probe.stop(true);
    const spec = {
      workers: [{ name: "echo", listen: "text://127.0.0.1:0", handler: "./echo.ts" }],
      files: { "echo.ts": DASHBOARD_APP.files!["echo.ts"]! },
      extra: { admin: { listen: `127.0.0.1:${port}` } },
    };
    await using browser = await openBrowser();
    const { page } = browser;
    const first = await AppUnderTest.start(spec);
    try {
      await page.goto(first.adminUrl);
      await logIn(page, first.token);
      await page.locator("[data-feed=live]").waitFor({ timeout: 5000 });
    } finally {
      await first[Symbol.asyncDispose]();
    }
    await page.locator("[data-feed=reconnecting], [data-feed=offline]").waitFor({ timeout: 5000 });

    await using second = await AppUnderTest.start(spec);
    // Sessions live in the master's memory: the new master does not know the old cookie.
    await page.locator("#token").waitFor({ timeout: 15_000 });
    await logIn(page, second.token);
    expect(await page.locator("[data-fact=pid]").textContent()).toBe(String((await second.status()).master.pid));
    await page.locator("[data-feed=live]").waitFor({ timeout: 5000 });
  }, 60_000);
});

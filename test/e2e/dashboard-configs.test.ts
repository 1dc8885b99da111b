// The dashboard's Configs view in headless Chromium: the applied config versions, with who applied them and what changed.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { AppUnderTest } from "../support/app-under-test.ts";
import { chromiumAvailable, DASHBOARD_APP, logIn, openBrowser } from "../support/browser.ts";

describe.skipIf(!chromiumAvailable())("dashboard: config history", () => {
  test("lists the start's version, then a reload's with the group and keys it changed", async () => {
    await using app = await AppUnderTest.start(DASHBOARD_APP);
    await using browser = await openBrowser();
    const { page } = browser;
    await page.goto(app.adminUrl);
    await logIn(page, app.token);
    await page.click('a[href="#/configs"]');
    const rows = page.locator("[data-table=configs] tbody tr");
    await rows.first().waitFor();
    expect(await rows.first().textContent()).toContain("start");

    const config = JSON.parse(readFileSync(app.configPath, "utf8"));
    const web = config.workers.find((g: { name: string }) => g.name === "web");
    web.env = { ...web.env, RELEASE: "2" };
    writeFileSync(app.configPath, JSON.stringify(config));
    await app.api("/api/reload", { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
    await page.locator("[data-table=configs] tbody tr[data-version='2']").waitFor({ timeout: 20_000 });
    const newest = await rows.first().textContent();
    expect(newest).toContain("web: env");
    expect(browser.problems.filter((p) => !p.includes("401"))).toEqual([]);
  }, 60_000);
});

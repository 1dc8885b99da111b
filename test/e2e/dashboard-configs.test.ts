// The dashboard's Configs view in headless Chromium: the applied config versions, who applied them and what changed; one shown, two diffed.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { AppUnderTest } from "../support/app-under-test.ts";
import { chromiumAvailable, DASHBOARD_APP, logIn, openBrowser } from "../support/browser.ts";

describe.skipIf(!chromiumAvailable())("dashboard: config history", () => {
  test("lists the start's version, then a reload's with the group and keys it changed; shows a kept config and diffs two", async () => {
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

    // Shown: the kept config as the master applied it.
    await page.click("[data-table=configs] tbody tr[data-version='2'] button[data-action=show]");
    const shown = page.locator("[data-config-shown='2'] pre");
    await shown.waitFor();
    expect(await shown.textContent()).toContain('"RELEASE": "2"');
    // Diffed: by default the version before the newest against the newest, only the added key marked.
    await page.locator("[data-compare=from]").waitFor();
    await page.click("[data-action=diff]");
    const diff = page.locator("[data-config-diff='1..2'] pre");
    await diff.waitFor();
    const added = await diff.locator(".added").allTextContents();
    expect(added.length).toBeGreaterThan(0);
    expect(added.join("")).toContain('"RELEASE": "2"');
    expect(await diff.locator(".removed").allTextContents()).not.toContain('"RELEASE": "2"');
    // A version against itself: said to be the same, no lines to read through.
    await page.selectOption("[data-compare=from]", "2");
    await page.click("[data-action=diff]");
    await page.locator("[data-config-diff='2..2']", { hasText: "The two configs are the same." }).waitFor();
    expect(browser.problems.filter((p) => !p.includes("401"))).toEqual([]);
  }, 60_000);
});

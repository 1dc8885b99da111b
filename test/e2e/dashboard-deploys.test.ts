// The dashboard shows a reload's settle window, a rollback with its reason and source line, and a crash loop's row with Retry now.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { AppUnderTest } from "../support/app-under-test.ts";
import { chromiumAvailable, logIn, offScreen, openBrowser, type BrowserSession } from "../support/browser.ts";

const GOOD = `import { existsSync } from "node:fs";\nif (existsSync(import.meta.dir + "/crash")) { console.error("no database"); process.exit(3); }\nexport default { fetch: () => new Response("pid " + process.pid) };\n`;
const BROKEN = `export default {\n  fetch() { return new Response("x"}; },\n};\n`;

describe.skipIf(!chromiumAvailable())("dashboard: safe deploys", () => {
  let app: AppUnderTest;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 1, handler: "./web.ts", healthySeconds: 1.5 }],
      files: { "web.ts": GOOD },
    });
    browser = await openBrowser();
    page = browser.page;
    await page.goto(app.adminUrl);
    await logIn(page, app.token);
  }, 30_000);

  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await app?.[Symbol.asyncDispose]();
  }, 30_000);

  async function reloadWeb(): Promise<void> {
    await page.click('button[aria-label="Reload group web"]');
    await page.locator("dialog.confirm").waitFor();
    await page.keyboard.press("Enter");
  }

  test("a good reload passes through the settle window, then the group is replaced", async () => {
    await reloadWeb();
    await page.locator("[data-progress-group=web][data-phase=settling]").waitFor({ timeout: 10_000 });
    expect(await page.locator("[data-progress-group=web]").textContent()).toMatch(/settle window: every new process is ready; \d s left/);
    await page.locator("[data-progress-group=web][data-phase=replaced]").waitFor({ timeout: 10_000 });
    await page.click("[data-progress] button");
  });

  test("a syntax error is rolled back, with file:line:column and the source line shown", async () => {
    const before = (await app.pids("web"))[0];
    writeFileSync(join(app.dir, "web.ts"), BROKEN);
    await reloadWeb();
    await page.locator("[data-progress-group=web][data-phase=rolled-back]").waitFor({ timeout: 10_000 });
    const text = await page.locator("[data-progress-group=web]").textContent();
    expect(text).toContain('web.ts:2:36 Expected ")" but found "}"');
    expect(text).toContain('fetch() { return new Response("x"}; },');
    expect(await page.locator("[data-progress-result]").textContent()).toContain("Rolled back: web");
    expect(await app.pids("web")).toEqual([before!]);
    await page.click("[data-progress] button");
    writeFileSync(join(app.dir, "web.ts"), GOOD);
  });

  test("a syntax error Bun reports as two: each one with its position and source line", async () => {
    writeFileSync(join(app.dir, "web.ts"), `const x = 1;\nconst x = 2;\nlet y = 1;\nlet y = 3;\nexport default {};\n`);
    await reloadWeb();
    await page.locator("[data-progress-group=web][data-phase=rolled-back]").waitFor({ timeout: 10_000 });
    const text = await page.locator("[data-progress-group=web]").textContent();
    expect(text).toContain('web.ts:2:7 "x" has already been declared (+1 more)');
    expect(text).toContain("const x = 2;");
    expect(await page.locator("[data-progress-group=web] [data-load-error]").textContent()).toContain(
      'web.ts:4:5 "y" has already been declaredlet y = 3;\n    ^',
    );
    await page.click("[data-progress] button");
    writeFileSync(join(app.dir, "web.ts"), GOOD);
  });

  test("a crash loop keeps its row with the exit code and reason; Retry now starts it again", async () => {
    writeFileSync(join(app.dir, "web.ts"), GOOD);
    const [pid] = await app.pids("web");
    writeFileSync(join(app.dir, "crash"), "");
    process.kill(pid!, "SIGKILL");
    const row = page.locator('tr[data-slot="web#0"]');
    await row.waitFor({ timeout: 15_000 });
    const detail = page.locator('tr[data-slot-detail="web#0"]');
    await app.waitFor(async () => (await detail.textContent())?.includes("exit 3"), 15_000, "exit 3 under the waiting row");
    expect(await detail.textContent()).toContain("no database");
    // At a phone's width the slot's story wraps under its row: Retry now and every other control stay on screen.
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      expect(await offScreen(page, 390)).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
    const { rmSync } = await import("node:fs");
    rmSync(join(app.dir, "crash"));
    await row.locator("[data-action=retry]").click();
    await app.waitFor(async () => (await app.pids("web")).length === 1, 10_000, "web ready again");
  }, 60_000);

  test("probation: the old process shows parked, then the release that dies takes the group back to it", async () => {
    const [old] = await app.pids("web");
    const appJson = await Bun.file(app.configPath).text();
    const config = JSON.parse(appJson);
    config.workers[0].probationSeconds = 30;
    writeFileSync(app.configPath, JSON.stringify(config));
    writeFileSync(join(app.dir, "web.ts"), `${GOOD}setTimeout(() => process.exit(5), 3500);\n`);
    await reloadWeb();
    await page.locator("[data-progress-group=web][data-phase=probation]").waitFor({ timeout: 10_000 });
    expect(await page.locator("[data-progress-group=web]").textContent()).toMatch(/1 replaced; probation: the old processes stay parked \d+ s more/);
    await page.locator(`tr:has-text("${old}") .state-parked`).waitFor({ timeout: 10_000 });
    await page.locator("[data-progress-group=web][data-phase=rolled-back]").waitFor({ timeout: 15_000 });
    const text = await page.locator("[data-progress-group=web]").textContent();
    expect(text).toContain("rolled back during probation: the parked processes serve again");
    expect(text).toMatch(/exited with code 5 \d\.\d s after it was ready, during probation/);
    expect(await page.locator("[data-progress-result]").textContent()).toContain("the parked processes serve again");
    await app.waitFor(async () => (await app.pids("web")).join() === String(old), 10_000, `pid ${old} serving alone again`);
    await page.click("[data-progress] button");
    writeFileSync(app.configPath, appJson);
    writeFileSync(join(app.dir, "web.ts"), GOOD);
  }, 60_000);
});

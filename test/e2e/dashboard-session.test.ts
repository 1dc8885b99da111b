// The dashboard's session in Chromium: kept per tab in sessionStorage and sent as a header, so a page on another port gets nothing usable and cannot log it out.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { AppUnderTest } from "../support/app-under-test.ts";
import { chromiumAvailable, DASHBOARD_APP, logIn, openBrowser, type BrowserSession } from "../support/browser.ts";

/** What another local web app (any port of this host, e.g. the app's own http group) can see and do in the same browser. */
function anotherPortOfThisHost(adminUrl: string) {
  const received: { path: string; cookie: string | null }[] = [];
  const page = `<!doctype html><title>another app</title><script>
    window.result = (async () => {
      const seen = { cookie: document.cookie, session: JSON.stringify(Object.entries(sessionStorage)), local: JSON.stringify(Object.entries(localStorage)) };
      // Cookie tossing: cookies are not scoped by port, so these land in the admin plane's jar too.
      document.cookie = "wm_session=tossed-from-another-port; path=/";
      document.cookie = "workerman-session=tossed-from-another-port; path=/";
      let read;
      try { read = (await fetch(${JSON.stringify(adminUrl)} + "/api/status", { credentials: "include" })).status; } catch (e) { read = "blocked"; }
      await fetch(${JSON.stringify(adminUrl)} + "/api/status", { credentials: "include", mode: "no-cors" }).catch(() => {});
      await fetch("/report", { method: "POST" });
      return { ...seen, read };
    })();
  </script>`;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      received.push({ path: new URL(request.url).pathname, cookie: request.headers.get("cookie") });
      // A server can toss cookies too, HttpOnly ones included (which page scripts cannot overwrite).
      const toss = "wm_session=tossed-by-another-port; Path=/; HttpOnly; SameSite=Strict";
      return new Response(page, { headers: { "Content-Type": "text/html", "Set-Cookie": toss } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/`, received, stop: () => server.stop(true) };
}

const sessionOf = (page: Page) => page.evaluate(() => sessionStorage.getItem("workerman-session"));

describe.skipIf(!chromiumAvailable())("dashboard session (Chromium)", () => {
  let app: AppUnderTest;
  let browser: BrowserSession;

  beforeAll(async () => {
    app = await AppUnderTest.start(DASHBOARD_APP);
    browser = await openBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await app?.[Symbol.asyncDispose]();
  }, 30_000);

  test("the session survives a page reload within the tab, and no cookie is set", async () => {
    const { page } = browser;
    await page.goto(app.adminUrl);
    await logIn(page, app.token);
    expect(await sessionOf(page)).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(await browser.context.cookies()).toEqual([]);
    await page.reload();
    await page.locator("[data-table=workers] tbody tr").first().waitFor({ timeout: 10_000 });
    await page.locator("[data-feed=live]").waitFor({ timeout: 5000 });
    expect(await page.locator("#token").count()).toBe(0);
  });

  test("a page on another port of the same host obtains no usable credential", async () => {
    const other = anotherPortOfThisHost(app.adminUrl);
    try {
      const tab = await browser.context.newPage();
      await tab.goto(other.url);
      const seen = (await tab.evaluate("window.result")) as { cookie: string; session: string; local: string; read: unknown };
      await tab.close();
      expect(other.received.length).toBeGreaterThanOrEqual(2);
      // The page itself was requested with no cookie at all: the browser holds none for this host.
      expect(other.received[0]!.cookie).toBeNull();
      // Replaying whatever its server was sent, from a script with a forged Origin, opens nothing.
      for (const r of other.received.filter((x) => x.cookie)) {
        const replay = await fetch(`${app.adminUrl}/api/status`, { headers: { Cookie: r.cookie!, Origin: app.adminUrl } });
        expect(replay.status).toBe(401);
      }
      // Nothing of the session in what that page could read, nor in what its server was sent; it cannot read the API either.
      const session = (await sessionOf(browser.page))!;
      expect(session).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(`${seen.cookie} ${seen.session} ${seen.local}`).not.toContain(session);
      for (const r of other.received) expect(r.cookie ?? "").not.toContain(session);
      expect(seen.read).toBe("blocked");
    } finally {
      other.stop();
    }
  });

  test("cookie tossing from another port does not log the dashboard out", async () => {
    const { page } = browser;
    // The page above planted cookies for this host; the dashboard ignores them.
    expect((await browser.context.cookies()).length).toBeGreaterThan(0);
    await page.reload();
    await page.locator("[data-table=workers] tbody tr").first().waitFor({ timeout: 10_000 });
    await page.click('a[href="#/timers"]');
    await page.locator("[data-table=timers] tbody tr").first().waitFor({ timeout: 5000 });
    expect(await page.locator("#token").count()).toBe(0);
  });

  test("log out: the session is forgotten in the tab and ended in the master", async () => {
    const { page } = browser;
    const session = (await sessionOf(page))!;
    await page.getByRole("button", { name: "Log out" }).click();
    await page.locator("#token").waitFor();
    expect(await sessionOf(page)).toBeNull();
    const replay = await fetch(`${app.adminUrl}/api/status`, { headers: { "X-Session": session } });
    expect(replay.status).toBe(401);
    await page.reload();
    await page.locator("#token").waitFor();
  });
});

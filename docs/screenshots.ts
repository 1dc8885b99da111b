// Retakes the dashboard screenshots in docs/ (bun docs/screenshots.ts): a real master from source, real clients, headless Chromium.
// The tcp_migrate_req warning needs a network namespace, where the setting starts at 0 (as root):
//   unshare -n sh -c 'ip link set lo up && bun docs/screenshots.ts --warning'

import { join } from "node:path";
import type { Page } from "playwright-core";
import { AppUnderTest } from "../test/support/app-under-test.ts";
import { DASHBOARD_APP, logIn, openBrowser } from "../test/support/browser.ts";
import { wsClient, type WsClient } from "../test/support/clients.ts";

const OUT = import.meta.dir;

/** A group that crashes on demand, so the events view has an exit with its last stderr lines. */
const SPEC = {
  ...DASHBOARD_APP,
  extra: { name: "demo" },
  workers: [...DASHBOARD_APP.workers, { name: "jobs", listen: "text://127.0.0.1:0", handler: "./jobs.ts" }],
  files: {
    ...DASHBOARD_APP.files,
    "jobs.ts": `export default {
      onWorkerStart(worker) {
        console.log("jobs: polling the queue every 5 s");
        let done = 0;
        worker.timers.add(5, () => console.log("jobs: " + (done += 3) + " jobs done, queue empty"));
        worker.timers.add(60, () => {}, { persistent: false });
      },
      onMessage(conn, line) {
        if (line === "crash") { console.error("jobs: lost the database connection (ECONNREFUSED 127.0.0.1:5432)"); process.exit(3); }
        conn.send(line);
      },
    };`,
  },
};

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
  console.log(`wrote docs/${name}.png`);
}

/** A bounded, uneven HTTP load (about 20 s) so the requests/s chart has a shape. */
async function traffic(port: number, seconds: number): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const burst = 5 + Math.round(20 * Math.abs(Math.sin(Date.now() / 3000)));
    await Promise.all(Array.from({ length: burst }, () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())));
    await Bun.sleep(100);
  }
}

/** Only the overview with the tcp_migrate_req warning (run in a network namespace, where the setting is 0). */
async function warningShot(app: AppUnderTest): Promise<void> {
  if ((await app.status()).master.tcpMigrateReq !== 0) throw new Error("tcp_migrate_req is not 0 here: run this in a new network namespace");
  await using browser = await openBrowser({ width: 1280, height: 420 });
  await browser.page.goto(app.adminUrl);
  await logIn(browser.page, app.token);
  await browser.page.locator("[data-warning=tcp_migrate_req]").waitFor();
  await shoot(browser.page, "dashboard-warning");
}

async function allShots(app: AppUnderTest): Promise<void> {
  const clients: WsClient[] = [];
  const load = traffic(await app.port("web"), 25);

  {
    await using browser = await openBrowser({ width: 1280, height: 800 });
    const { page } = browser;
    await page.goto(app.adminUrl);
    await page.fill("#token", "a-wrong-token-pasted-by-mistake");
    await page.click("button[type=submit]");
    await page.getByRole("alert").waitFor();
    await shoot(page, "dashboard-login");

    await logIn(page, app.token);
    await page.click("[data-action=reload-all]");
    await page.locator("dialog.confirm").waitFor();
    await shoot(page, "dashboard-reload-confirm");
    await page.click("dialog.confirm button[type=submit]");
    await page.locator("[data-progress-result]").waitFor({ timeout: 15_000 });
    // Let the new processes send their first figures (memory shows "–" until then).
    await page.waitForTimeout(1500);
    await shoot(page, "dashboard-workers");

    // Clients opened after the reload (a reload closes WebSockets with 1001).
    const chat = await app.port("chat");
    for (let i = 0; i < 12; i++) clients.push(await wsClient(`ws://127.0.0.1:${chat}/`));
    await page.click('a[href="#/connections"]');
    await page.locator("[data-table=connections] tbody tr").first().waitFor();
    await shoot(page, "dashboard-connections");
    await page.click('a[href="#/timers"]');
    await page.locator("[data-table=timers] tbody tr").first().waitFor();
    await shoot(page, "dashboard-timers");
    await load;
    await page.click('a[href="#/charts"]');
    await page.locator("figure.chart canvas").first().waitFor();
    await shoot(page, "dashboard-charts");
    // A crash: the events view shows the exit code and the process's last stderr lines.
    const jobs = await Bun.connect({ hostname: "127.0.0.1", port: await app.port("jobs"), socket: { data() {}, error() {} } });
    jobs.write("crash\n");
    await page.waitForTimeout(1500);
    await page.click('a[href="#/events"]');
    await page.locator("[data-list=events] li").first().waitFor();
    await page.waitForTimeout(1000);
    await page.selectOption("[data-filter=kind]", "exits");
    await page.locator("[data-list=events] details summary").first().click();
    await shoot(page, "dashboard-events");
    await page.click('a[href="#/logs"]');
    await page.locator("[data-list=logs] li").first().waitFor();
    await page.waitForTimeout(1000);
    await shoot(page, "dashboard-logs");
  }
  {
    await using dark = await openBrowser({ width: 1280, height: 800, colorScheme: "dark" });
    await dark.page.goto(app.adminUrl);
    await logIn(dark.page, app.token);
    await shoot(dark.page, "dashboard-dark");
  }
  {
    await using phone = await openBrowser({ width: 390, height: 844 });
    await phone.page.goto(app.adminUrl);
    await logIn(phone.page, app.token);
    await phone.page.waitForTimeout(1500);
    await phone.page.locator("[data-table=workers]").scrollIntoViewIfNeeded();
    await shoot(phone.page, "dashboard-phone");
    await phone.page.click('a[href="#/connections"]');
    await phone.page.locator("[data-table=connections] tbody tr").first().waitFor();
    await phone.page.locator("[data-table=connections]").scrollIntoViewIfNeeded();
    await shoot(phone.page, "dashboard-phone-connections");
  }
  for (const client of clients) client.ws.close();
}

// Disposal (not process.exit) stops the master and closes the browsers, whichever way this ends.
await using app = await AppUnderTest.start(SPEC);
await (process.argv.includes("--warning") ? warningShot(app) : allShots(app));

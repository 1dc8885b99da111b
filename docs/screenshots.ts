// Retakes the dashboard screenshots in docs/ (bun docs/screenshots.ts): a real master from source, real clients, headless Chromium.
// The tcp_migrate_req warning needs a network namespace, where the setting starts at 0 (as root):
//   unshare -n sh -c 'ip link set lo up && bun docs/screenshots.ts --warning'

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { AppUnderTest } from "../test/support/app-under-test.ts";
import { DASHBOARD_APP, logIn, openBrowser } from "../test/support/browser.ts";
import { wsClient, type WsClient } from "../test/support/clients.ts";

const OUT = import.meta.dir;

/**
 * Beside the dashboard's app: a group that crashes on demand (the events view has an exit with its last stderr
 * lines), and an http "api" group that errors (about 1 in 10 requests throws and answers 500, 1 in 10 is a 404),
 * takes a few ms per request and keeps its own metrics, so the error, latency and app-metrics figures have values.
 */
const SPEC = {
  ...DASHBOARD_APP,
  extra: { name: "demo" },
  workers: [
    ...DASHBOARD_APP.workers,
    { name: "api", listen: "http://127.0.0.1:0", count: 2, handler: "./api.ts" },
    { name: "jobs", listen: "text://127.0.0.1:0", handler: "./jobs.ts" },
  ],
  files: {
    ...DASHBOARD_APP.files,
    "api.ts": `let worker;
    export default {
      onWorkerStart(w) { worker = w; },
      async fetch(request) {
        const started = performance.now();
        await Bun.sleep(2 + Math.random() * 12);
        worker.metrics.observe("db_query", (performance.now() - started) / 1000);
        const roll = Math.random();
        if (roll < 0.1) throw new Error("orders: the payment provider timed out");
        if (roll < 0.2) return new Response("no such order", { status: 404 });
        worker.metrics.inc("orders_placed");
        return Response.json({ ok: true });
      },
    };`,
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

/** The viewport, or with `full` the whole page (the Charts view is taller than a screen). */
async function shoot(page: Page, name: string, full = false): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: full });
  console.log(`wrote docs/${name}.png`);
}

/** An uneven HTTP load on each port until `stop.done`, so the rate, latency and status-code charts have a shape. */
async function traffic(ports: number[], stop: { done: boolean }): Promise<void> {
  while (!stop.done) {
    const burst = 5 + Math.round(20 * Math.abs(Math.sin(Date.now() / 3000)));
    const requests = ports.flatMap((port) => Array.from({ length: burst }, () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())));
    await Promise.all(requests);
    await Bun.sleep(100);
  }
}

/** A config change for the reload to apply, so the Configs view has two versions to diff. */
function changeConfig(app: AppUnderTest): void {
  const config = JSON.parse(readFileSync(app.configPath, "utf8"));
  const web = config.workers.find((g: { name: string }) => g.name === "web");
  web.env = { ...web.env, RELEASE: "2026-12-07" };
  writeFileSync(app.configPath, JSON.stringify(config, null, 2));
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

/** Login, a reload (confirm, then the workers with the erroring group), connections, timers, charts under load, configs. */
async function desktopShots(page: Page, app: AppUnderTest, clients: WsClient[]): Promise<void> {
  await page.goto(app.adminUrl);
  await page.fill("#token", "a-wrong-token-pasted-by-mistake");
  await page.click("button[type=submit]");
  await page.getByRole("alert").waitFor();
  await shoot(page, "dashboard-login");

  await logIn(page, app.token);
  changeConfig(app);
  await page.click("[data-action=reload-all]");
  await page.locator("dialog.confirm").waitFor();
  await shoot(page, "dashboard-reload-confirm");
  await page.click("dialog.confirm button[type=submit]");
  await page.locator("[data-progress-result]").waitFor({ timeout: 15_000 });
  await shoot(page, "dashboard-reload-progress");
  // Let the new processes send their first figures (memory and latency show "–" until then); the whole table.
  await page.click("[data-progress] button:has-text('Dismiss')");
  await page.waitForTimeout(2500);
  await shoot(page, "dashboard-workers", true);

  // Clients opened after the reload (a reload closes WebSockets with 1001).
  const chat = await app.port("chat");
  for (let i = 0; i < 12; i++) clients.push(await wsClient(`ws://127.0.0.1:${chat}/`));
  await page.click('a[href="#/connections"]');
  await page.locator("[data-table=connections] tbody tr").first().waitFor();
  await shoot(page, "dashboard-connections");
  await page.click('a[href="#/timers"]');
  await page.locator("[data-table=timers] tbody tr").first().waitFor();
  await shoot(page, "dashboard-timers");
  await page.click('a[href="#/charts"]');
  await page.locator("figure.chart canvas").first().waitFor();
  // Status reads every 2 s: some of them, so the latency and status-code lines have a shape.
  await page.waitForTimeout(12_000);
  await shoot(page, "dashboard-charts", true);
  await page.click('a[href="#/configs"]');
  await page.locator("[data-table=configs] tbody tr[data-version='2']").waitFor({ timeout: 10_000 });
  await page.click("[data-action=diff]");
  await page.locator("[data-config-diff] pre").waitFor();
  await shoot(page, "dashboard-configs");
}

/** A crash: the events view shows the exit code and the process's last stderr lines; then the log. */
async function eventShots(page: Page, app: AppUnderTest): Promise<void> {
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

/** At 390 px: the workers (errors and p99 on screen), the connections and the charts. */
async function phoneShots(page: Page, app: AppUnderTest): Promise<void> {
  await page.goto(app.adminUrl);
  await logIn(page, app.token);
  await page.waitForTimeout(2500);
  await page.locator("[data-table=workers]").scrollIntoViewIfNeeded();
  await shoot(page, "dashboard-phone");
  await page.click('a[href="#/connections"]');
  await page.locator("[data-table=connections] tbody tr").first().waitFor();
  await page.locator("[data-table=connections]").scrollIntoViewIfNeeded();
  await shoot(page, "dashboard-phone-connections");
  await page.click('a[href="#/charts"]');
  await page.locator("figure.chart canvas").first().waitFor();
  await page.waitForTimeout(6000);
  await shoot(page, "dashboard-phone-charts");
}

async function allShots(app: AppUnderTest): Promise<void> {
  const clients: WsClient[] = [];
  const stop = { done: false };
  const load = traffic([await app.port("web"), await app.port("api")], stop);
  try {
    {
      await using browser = await openBrowser({ width: 1280, height: 800 });
      await desktopShots(browser.page, app, clients);
      await eventShots(browser.page, app);
    }
    {
      await using dark = await openBrowser({ width: 1280, height: 800, colorScheme: "dark" });
      await dark.page.goto(app.adminUrl);
      await logIn(dark.page, app.token);
      await shoot(dark.page, "dashboard-dark");
    }
    {
      await using phone = await openBrowser({ width: 390, height: 844 });
      await phoneShots(phone.page, app);
    }
  } finally {
    stop.done = true;
    await load;
    for (const client of clients) client.ws.close();
  }
}

// Disposal (not process.exit) stops the master and closes the browsers, whichever way this ends.
await using app = await AppUnderTest.start(SPEC);
await (process.argv.includes("--warning") ? warningShot(app) : allShots(app));

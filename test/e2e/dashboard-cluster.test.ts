// The dashboard over two real instances and a real redis-server: the cluster badge, the Cluster view, and a lost link shown at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisUnderTest } from "../channel/redis-server.ts";
import { startInstance } from "../cluster/cluster-instances.ts";
import type { AppUnderTest } from "../support/app-under-test.ts";
import { chromiumAvailable, logIn, openBrowser } from "../support/browser.ts";

describe.skipIf(!chromiumAvailable())("dashboard: cluster", () => {
  let redis: RedisUnderTest;
  let apps: AppUnderTest[] = [];
  let secretDir = "";

  beforeAll(async () => {
    redis = await RedisUnderTest.start();
    secretDir = mkdtempSync(join(tmpdir(), "wm-secret-"));
    const secretFile = join(secretDir, "cluster.secret");
    writeFileSync(secretFile, "s".repeat(40));
    chmodSync(secretFile, 0o600);
    apps = await Promise.all([startInstance(redis.url, { secretFile }, {}, true), startInstance(redis.url, { secretFile })]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app[Symbol.asyncDispose]()));
    await redis?.[Symbol.asyncDispose]();
    rmSync(secretDir, { recursive: true, force: true });
  });

  test("the badge counts the instances, the Cluster view shows both with their rows; killing Redis turns both red at once", async () => {
    const [a, b] = apps as [AppUnderTest, AppUnderTest];
    await a.waitFor(async () => (await a.status()).cluster?.instances === 2, 5000, "2 instances");
    await using browser = await openBrowser();
    const { page } = browser;
    await page.goto(a.adminUrl);
    await logIn(page, a.token);
    const badge = page.locator("[data-cluster]");
    await page.locator('[data-cluster="up"]').waitFor();
    expect(await badge.textContent()).toBe("cluster: 2 instances");

    await page.goto(`${a.adminUrl}/#/cluster`);
    await page.locator("[data-instance]").nth(1).waitFor();
    expect(await page.locator("[data-instance]").count()).toBe(2);
    expect(await page.locator("[data-cluster-count]").textContent()).toContain("cluster commands are on");
    const bPid = (await b.status()).processes[0]!.pid;
    await page.locator(`[data-table=cluster-workers] tr[data-pid="${bPid}"]`).waitFor();
    expect(await page.locator('[data-action="reload-instance"]').count()).toBe(2);
    expect(await page.locator('[data-action="reload-cluster"]').isVisible()).toBe(true);

    // Rates by the group's kind, and the Workers view's errors and latency, on the other instance's rows too.
    const bWeb = await b.port("web");
    const rowOf = (pid: number) => page.locator(`[data-table=cluster-workers] tr[data-pid="${pid}"]`);
    const aChat = (await a.pids("chat"))[0]!;
    expect(await rowOf(aChat).locator("[data-col=rate]").textContent()).toMatch(/^[\d.,]+ msg\/s$/);
    expect(await rowOf(aChat).locator("[data-col=p99]").textContent()).toBe("–");
    await a.waitFor(
      async () => {
        await fetch(`http://127.0.0.1:${bWeb}/`);
        return /ms$/.test((await rowOf(bPid!).locator("[data-col=p99]").textContent()) ?? "");
      },
      15_000,
      "b's web p99 in the Cluster view",
    );
    expect(await rowOf(bPid!).locator("[data-col=rate]").textContent()).toMatch(/^[\d.,]+ req\/s$/);
    expect(await rowOf(bPid!).locator("[data-col=http5xx]").textContent()).toBe("0");
    expect(await page.locator("[data-table=cluster-workers] thead th[data-col=rate]").first().textContent()).toBe("rate");

    await redis.kill();
    const killedAt = Date.now();
    await page.locator('[data-cluster="down"]').waitFor({ timeout: 3000 });
    await page.locator("[data-warning=cluster]").waitFor({ timeout: 3000 });
    expect(Date.now() - killedAt).toBeLessThan(3000);
    expect(await page.locator("[data-warning=cluster]").textContent()).toContain("The Redis link is down");
    await page.locator("[data-warning=cluster-view]").waitFor({ timeout: 3000 });
    expect(browser.problems).toEqual([]);
  }, 60_000);
});

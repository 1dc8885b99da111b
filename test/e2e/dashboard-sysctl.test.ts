// The tcp_migrate_req warning in a real browser: this file reruns itself in a new network namespace, where the setting starts at 0.
import { describe, expect, test } from "bun:test";
import { AppUnderTest } from "../support/app-under-test.ts";
import { chromiumAvailable, DASHBOARD_APP, logIn, openBrowser } from "../support/browser.ts";

const INSIDE = process.env.WM_DASHBOARD_NETNS === "1";

/** Root with unshare and ip: a private network namespace (own loopback, own net.ipv4 settings) can be made. */
function canUnshare(): boolean {
  if (process.getuid?.() !== 0 || !Bun.which("unshare") || !Bun.which("ip")) return false;
  return Bun.spawnSync(["unshare", "-n", "true"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
}

describe.skipIf(!chromiumAvailable())("dashboard: tcp_migrate_req warning", () => {
  if (INSIDE) {
    test("inside the namespace: the overview warns and gives the fix", async () => {
      await using app = await AppUnderTest.start({
        workers: [{ name: "echo", listen: "text://127.0.0.1:0", handler: "./echo.ts" }],
        files: { "echo.ts": DASHBOARD_APP.files!["echo.ts"]! },
      });
      expect((await app.status()).master.tcpMigrateReq).toBe(0);
      await using browser = await openBrowser();
      await browser.page.goto(app.adminUrl);
      await logIn(browser.page, app.token);
      const warning = browser.page.locator("[data-warning=tcp_migrate_req]");
      await warning.waitFor();
      expect(await warning.textContent()).toContain("sysctl -w net.ipv4.tcp_migrate_req=1");
    });
    return;
  }

  test.skipIf(!canUnshare())(
    "a master where net.ipv4.tcp_migrate_req is 0 shows the warning with the fix",
    async () => {
      const run = Bun.spawn(["unshare", "-n", "sh", "-c", `ip link set lo up && exec "${process.execPath}" test --timeout 30000 "${import.meta.path}"`], {
        env: { ...process.env, WM_DASHBOARD_NETNS: "1" },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [out, err, code] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
      expect(`${out}${err}`).toContain(" 1 pass");
      expect(code).toBe(0);
    },
    60_000,
  );
});

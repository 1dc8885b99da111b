// A reload that removes a unix:// group closes its socket and removes its file: nothing is left to connect to.
import { expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppUnderTest, cliCommand } from "../support/app-under-test.ts";
import { askLine } from "../support/clients.ts";

async function connectFails(path: string): Promise<boolean> {
  try {
    const socket = await Bun.connect({ unix: path, socket: { data() {} } });
    socket.end();
    return false;
  } catch {
    return true;
  }
}

test("reload without the unix:// group: its socket file is gone and connecting to the path fails; the other groups serve", async () => {
  const path = join(tmpdir(), `wm-removed-${process.pid}.sock`);
  await using app = await AppUnderTest.start({
    workers: [
      { name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" },
      { name: "svc", listen: `unix://${path}`, protocol: "text", handler: "./svc.ts" },
    ],
    files: { "web.ts": `export default { fetch: () => new Response("ok") };`, "svc.ts": `export default { onMessage(conn, m) { conn.send("echo " + m); } };` },
    extra: { reload: { healthySeconds: 0.2 } },
  });
  expect(await askLine({ unix: path }, "hi")).toBe("echo hi");
  const config = JSON.parse(readFileSync(app.configPath, "utf8")) as { workers: { name: string }[] };
  config.workers = config.workers.filter((g) => g.name !== "svc");
  writeFileSync(app.configPath, JSON.stringify(config));
  const reload = Bun.spawnSync([...cliCommand(), "reload", "--config", app.configPath]);
  expect(reload.stdout.toString()).toContain("svc: removed");
  expect(reload.exitCode).toBe(0);
  // Before the fix the master kept the bound socket until it stopped: the kernel queued connections nobody accepted.
  await app.waitFor(() => !existsSync(path), 5000, "the removed group's socket file to go");
  expect(await connectFails(path)).toBe(true);
  expect(await (await fetch(`http://127.0.0.1:${await app.port("web")}/`)).text()).toBe("ok");
  expect((await app.status()).groups.map((g) => g.name)).toEqual(["web"]);
}, 30_000);

// A `stop` while a restart is under way stops both masters: the new one must not take over and serve after the operator asked for none.
import { afterEach, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cliCommand, isAlive } from "../support/app-under-test.ts";
import { appDir, cleanUpApps, cli, mastersOf, pidFile, waitFor, webPort } from "../support/restart-app.ts";

afterEach(cleanUpApps);

/** Worker processes of the app: their environment names its data folder. */
function workersOf(dir: string): number[] {
  return readdirSync("/proc")
    .map(Number)
    .filter((pid) => {
      if (!pid || pid === process.pid || !isAlive(pid)) return false;
      try {
        const title = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        return title.startsWith("workerman-app: worker") && readFileSync(`/proc/${pid}/environ`, "utf8").includes(dir);
      } catch {
        return false;
      }
    });
}

/** A running app whose next release takes 3 s to load, and a `restart -d` under way: the new master is still starting. */
async function restartUnderWay() {
  const { dir, config } = appDir();
  expect((await cli("start", "-d", "--config", config)).code).toBe(0);
  const oldMaster = pidFile(dir);
  const port = await webPort(dir);
  writeFileSync(join(dir, "web.ts"), `await Bun.sleep(3000);\nexport default { fetch: () => new Response("v2 " + process.pid) };\n`);
  const restart = Bun.spawn([...cliCommand(), "restart", "-d", "--config", config], { stdout: "pipe", stderr: "pipe" });
  const [newMaster] = await waitFor(() => {
    const others = mastersOf(config).filter((pid) => pid !== oldMaster);
    return others.length === 1 && others;
  }, "the new master beside the old one");
  return { dir, config, oldMaster, newMaster: newMaster!, port, restart };
}

test("stop during a restart: neither master serves afterwards, no worker is left, and restart says it was stopped", async () => {
  const { dir, config, oldMaster, port, restart } = await restartUnderWay();
  await waitFor(() => existsSync(join(dir, "data/restart.lock")) || undefined, "the restart lock");
  const stopped = await cli("stop", "--config", config);
  expect(stopped.code).toBe(0);
  const [restartOut, restartCode] = await Promise.all([new Response(restart.stdout).text(), restart.exited]);
  const restartErr = await new Response(restart.stderr).text();
  expect(restartCode).not.toBe(0);
  expect(`${restartOut}${restartErr}`).toContain("the restart was stopped");
  await waitFor(() => mastersOf(config).length === 0 || undefined, "no master left", 15_000);
  await waitFor(() => workersOf(dir).length === 0 || undefined, "no worker left", 15_000);
  expect(isAlive(oldMaster)).toBe(false);
  const refused = await fetch(`http://127.0.0.1:${port}/`).then(
    () => "served",
    () => "refused",
  );
  expect(refused).toBe("refused");
}, 60_000);

test("the new master killed during a restart is reported as killed (E_RESTART, exit 1), not as a listen failure; the old one serves on", async () => {
  const { oldMaster, newMaster, port, restart } = await restartUnderWay();
  process.kill(newMaster, "SIGKILL");
  const [code, stderr] = await Promise.all([restart.exited, new Response(restart.stderr).text()]);
  expect(code).toBe(1);
  expect(stderr).toContain(`E_RESTART: the new master (pid ${newMaster}) was killed by SIGKILL; master pid ${oldMaster} keeps serving`);
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toStartWith("pid ");
}, 60_000);

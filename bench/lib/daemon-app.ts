// An app run by a copy of the executable with `start -d` in a temp folder, driven through its own CLI; stopped and removed on cleanup.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StatusResponse } from "../../src/admin/contract.ts";
import { onCleanup, runToEnd } from "./processes.ts";

export interface DaemonApp {
  dir: string;
  config: string;
  /** Runs `exe ...argv --config app.json` (default: the app's executable); returns its exit code and output. */
  cli: (argv: string[], exe?: string) => Promise<{ code: number; text: string }>;
  status: () => Promise<StatusResponse>;
  port: (group: string) => Promise<number>;
  pids: (group: string) => Promise<number[]>;
  masterPid: () => number;
  /** Rewrites app.json with `change` applied to the parsed object. */
  // allow-any: app.json as parsed, edited in place by the chaos run's operations (e.g. workers[0].count).
  editConfig: (change: (config: Record<string, any>) => void) => void;
  write: (file: string, text: string) => void;
  stop: () => void;
}

export async function startDaemonApp(executable: string, appJson: Record<string, unknown>, files: Record<string, string>): Promise<DaemonApp> {
  const dir = mkdtempSync(join(tmpdir(), "wm-bench-deploy-"));
  const config = join(dir, "app.json");
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  for (const [name, text] of Object.entries(files)) write(name, text);
  writeFileSync(config, JSON.stringify(appJson, null, 2));
  const cli = async (argv: string[], exe = executable) => {
    const { code, lines } = await runToEnd([exe, ...argv, "--config", config], 60_000);
    return { code, text: lines.join("\n") };
  };
  const status = async () => {
    const runtime = JSON.parse(readFileSync(join(dir, "data/runtime.json"), "utf8")) as { adminUrl: string };
    const token = readFileSync(join(dir, "data/admin.token"), "utf8").trim();
    return (await (await fetch(`${runtime.adminUrl}/api/status`, { headers: { Authorization: `Bearer ${token}` } })).json()) as StatusResponse;
  };
  const stop = onCleanup(() => {
    Bun.spawnSync([executable, "stop", "--config", config], { stdout: "ignore", stderr: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  });
  const started = await cli(["start", "-d"]);
  if (started.code !== 0) {
    stop();
    throw new Error(`start -d exited ${started.code}:\n${started.text}`);
  }
  return {
    dir,
    config,
    cli,
    status,
    write,
    stop,
    port: async (group) => {
      const listen = (await status()).groups.find((g) => g.name === group)!.listen;
      return Number(listen.slice(listen.lastIndexOf(":") + 1));
    },
    pids: async (group) => (await status()).processes.flatMap((p) => (p.group === group && p.state === "ready" && p.pid !== null ? [p.pid] : [])).sort(),
    masterPid: () => Number(readFileSync(join(dir, "data/master.pid"), "utf8")),
    editConfig: (change) => {
      const parsed = JSON.parse(readFileSync(config, "utf8"));
      change(parsed);
      writeFileSync(config, JSON.stringify(parsed, null, 2));
    },
  };
}

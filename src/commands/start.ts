// `workerman-app start [-d]`: runs the master in the foreground, or detached with its output in the log file.
import { closeSync, openSync, readFileSync } from "node:fs";
import { loadConfig } from "../config/load.ts";
import { AppError } from "../errors.ts";
import { DAEMON_ENV, logFilePath } from "../master/daemon.ts";
import { runMaster } from "../master/master.ts";
import { claimRuntimeFile, prepareDataDir, readRuntimeInfo } from "../master/runtime-file.ts";
import { selfCommand } from "../self-command.ts";

export function startCommand(configPath: string, daemon: boolean): Promise<number> {
  return daemon ? startDaemon(configPath) : runMaster(configPath);
}

const READY_TIMEOUT_MS = 30_000;

async function startDaemon(configPath: string): Promise<number> {
  const config = await loadConfig(configPath);
  prepareDataDir(config.dataDir);
  claimRuntimeFile(config.dataDir);
  const logPath = logFilePath(config.dataDir);
  // Whatever the master prints before it takes over its log (a crash at start) still lands in the file.
  const out = openSync(logPath, "a");
  const child = Bun.spawn([...selfCommand(), "start", "--config", config.configPath], {
    env: { ...process.env, [DAEMON_ENV]: "1" },
    stdio: ["ignore", out, out],
    detached: true,
  });
  closeSync(out);
  child.unref();

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new AppError("E_LISTEN", `the master exited during start (code ${child.exitCode ?? child.signalCode}); last lines of ${logPath}:\n${tail(logPath, 15)}`);
    }
    const info = readRuntimeInfo(config.dataDir);
    if (info?.pid === child.pid && info.ready && (await isReady(info.adminUrl))) {
      console.log(`started in the background: master pid ${child.pid}\nadmin  ${info.adminUrl}\nlog    ${logPath}`);
      return 0;
    }
    await Bun.sleep(100);
  }
  throw new AppError("E_LISTEN", `the master (pid ${child.pid}) did not report ready within ${READY_TIMEOUT_MS / 1000} s; see ${logPath}`);
}

async function isReady(adminUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${adminUrl}/healthz`)).ok;
  } catch {
    return false;
  }
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}


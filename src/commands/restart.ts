// `workerman-app restart [-d]`: a new master (e.g. a new executable) starts beside the running one, takes over once ready, and the old one drains.
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { loadConfig } from "../config/load.ts";
import type { AppConfig } from "../config/types.ts";
import { AppError } from "../errors.ts";
import { DAEMON_ENV, logFilePath } from "../master/daemon.ts";
import { runMaster } from "../master/master.ts";
import { isAlive, readRuntimeInfo } from "../master/runtime-file.ts";
import { TAKEOVER_ENV } from "../master/takeover.ts";
import { selfCommand } from "../self-command.ts";
import { startCommand } from "./start.ts";

/** The new master's own ready timeout is 30 s; past this it has hung. */
const READY_TIMEOUT_MS = 40_000;

export async function restartCommand(configPath: string, daemon: boolean): Promise<number> {
  // An invalid config exits 2 here, and the running master is not touched.
  const config = await loadConfig(configPath);
  const running = readRuntimeInfo(config.dataDir);
  if (!running || !isAlive(running.pid)) {
    console.log("not running; starting");
    return startCommand(configPath, daemon);
  }
  console.log(`restarting: a new master starts beside master pid ${running.pid}, which serves until the new one is ready`);
  // In the foreground this process becomes the new master.
  if (!daemon) return runMaster(configPath, { takeoverFrom: running.pid });
  return restartInBackground(config, running.pid);
}

async function restartInBackground(config: AppConfig, oldPid: number): Promise<number> {
  mkdirSync(config.dataDir, { recursive: true });
  const logPath = logFilePath(config.dataDir);
  const out = openSync(logPath, "a");
  const child = Bun.spawn([...selfCommand(), "start", "--config", config.configPath], {
    env: { ...process.env, [DAEMON_ENV]: "1", [TAKEOVER_ENV]: String(oldPid) },
    stdio: ["ignore", out, out],
    detached: true,
  });
  closeSync(out);
  child.unref();

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (readRuntimeInfo(config.dataDir)?.pid !== child.pid || !readRuntimeInfo(config.dataDir)?.ready) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const lines = linesOf(logPath, child.pid);
      // A stop during the restart reaches the old master, which stops the new one (SIGTERM) before it exits itself.
      if (child.signalCode === "SIGTERM") await exitOf(oldPid, (config.stopTimeout + config.drainWindowMs / 1000 + 5) * 1000);
      if (!isAlive(oldPid)) {
        throw new AppError(
          "E_NOT_RUNNING",
          `the restart was stopped: master pid ${oldPid} was stopped while the new master (pid ${child.pid}) started, and it stopped too; nothing runs now`,
        );
      }
      // Not E_LISTEN: a signal from outside (kill -9, the OOM killer) or a handler that failed to load ends it as well.
      const how = child.signalCode !== null ? `was killed by ${child.signalCode}` : `failed to start and exited with code ${child.exitCode}`;
      throw new AppError("E_RESTART", `the new master (pid ${child.pid}) ${how}; master pid ${oldPid} keeps serving. Its last lines in ${logPath}:\n${lines}`);
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new AppError(
        "E_RESTART",
        `the new master (pid ${child.pid}) was not ready within ${READY_TIMEOUT_MS / 1000} s and was stopped; master pid ${oldPid} keeps serving (see ${logPath})`,
      );
    }
    await Bun.sleep(50);
  }
  console.log(`restarted in the background: master pid ${child.pid} serves; waiting for master pid ${oldPid} to drain...`);
  const drainDeadline = Date.now() + (config.stopTimeout + config.drainWindowMs / 1000 + 10) * 1000;
  while (isAlive(oldPid)) {
    if (Date.now() > drainDeadline) {
      console.error(`master pid ${oldPid} is still running (draining long-lived connections?)`);
      return 1;
    }
    await Bun.sleep(50);
  }
  console.log(`master pid ${oldPid} has exited; log ${logPath}`);
  return 0;
}

async function exitOf(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await Bun.sleep(50);
}

/** The log lines the new master wrote (the old one writes to the same file), or the file's tail. */
function linesOf(logPath: string, pid: number): string {
  try {
    const lines = readFileSync(logPath, "utf8").trimEnd().split("\n");
    const mine = lines.filter((line) => line.includes(String(pid)));
    return (mine.length ? mine : lines).slice(-15).join("\n");
  } catch {
    return "(no log)";
  }
}

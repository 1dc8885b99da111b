// Daemon mode inside the master: its console and its workers' output go to the rotating log file.
import { join } from "node:path";
import type { AppConfig } from "../config/types.ts";
import { LogFile } from "./log-file.ts";

/** Set by `start -d` on the detached master it spawns. */
export const DAEMON_ENV = "WORKERMAN_DAEMON";

export function logFilePath(dataDir: string): string {
  return join(dataDir, "workerman.log");
}

/** In a daemon, returns where worker lines go (after sending console.* there too); null in the foreground. */
export function daemonLog(config: AppConfig): LogFile | null {
  if (process.env[DAEMON_ENV] !== "1") return null;
  delete process.env[DAEMON_ENV];
  const log = new LogFile({ path: logFilePath(config.dataDir), maxBytes: config.log.maxBytes, keep: config.log.keep, format: config.log.format });
  log.captureConsole();
  return log;
}

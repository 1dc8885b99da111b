// `workerman-app start [-d]`: runs the master in the foreground, or detached with its output in the log file.
import { closeSync, existsSync, openSync, readFileSync, statSync } from "node:fs";
import { loadConfig } from "../config/load.ts";
import { AppError } from "../errors.ts";
import { DAEMON_ENV, logFilePath } from "../master/daemon.ts";
import { runMaster } from "../master/master.ts";
import { claimRuntimeFile, prepareDataDir, readRuntimeInfo } from "../master/runtime-file.ts";
import { masterTitle } from "../process-title.ts";
import { selfCommand } from "../self-command.ts";

export function startCommand(configPath: string, daemon: boolean): Promise<number> {
  return daemon ? startDaemon(configPath) : runMaster(configPath);
}

const READY_TIMEOUT_MS = 30_000;
const MAX_LOG_LINES = 30;

async function startDaemon(configPath: string): Promise<number> {
  const config = await loadConfig(configPath);
  prepareDataDir(config.dataDir);
  claimRuntimeFile(config.dataDir);
  const logPath = logFilePath(config.dataDir);
  const logStart = existsSync(logPath) ? statSync(logPath).size : 0;
  // Whatever the master prints before it takes over its log (a crash at start) still lands in the file.
  const out = openSync(logPath, "a");
  const child = Bun.spawn([...selfCommand(), "start", "--config", config.configPath], {
    argv0: masterTitle(config.name),
    env: { ...process.env, [DAEMON_ENV]: "1" },
    stdio: ["ignore", out, out],
    detached: true,
  });
  closeSync(out);
  child.unref();

  // As long as the master's own start may take: every group ready within reload.startTimeout, plus its setup.
  const deadline = Date.now() + Math.max(READY_TIMEOUT_MS, config.reload.startTimeout * 1000 + 10_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      // The master explained itself in the log (E_START with file:line, or E_CONFIG): show this start's part of it.
      console.error(`the master did not start (exit ${child.exitCode ?? child.signalCode}); from ${logPath}:\n${masterLines(logPath, logStart)}`);
      return child.exitCode && child.exitCode > 0 ? child.exitCode : 1;
    }
    const info = readRuntimeInfo(config.dataDir);
    if (info?.pid === child.pid && info.ready && (await isReady(info.adminUrl))) {
      console.log(`started in the background: master pid ${child.pid}\nadmin  ${info.adminUrl}\nlog    ${logPath}`);
      return 0;
    }
    await Bun.sleep(100);
  }
  throw new AppError("E_LISTEN", `the master (pid ${child.pid}) did not report ready in time; see ${logPath}`);
}

/** The master's own lines this start wrote to the log (workers' output is in the file for the curious), without timestamps. */
function masterLines(path: string, from: number): string {
  let text: string;
  try {
    text = readFileSync(path).subarray(from).toString("utf8");
  } catch {
    return "(no log)";
  }
  const lines = text
    .trimEnd()
    .split("\n")
    .map((line) => line.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[master \d+\] /, ""));
  const own = lines.filter((line) => !/^\d{4}-\d\d-\d\dT[\d:.]+Z \[\S+#\d+ \d+\] /.test(line));
  return own.slice(-MAX_LOG_LINES).join("\n") || lines.slice(-MAX_LOG_LINES).join("\n");
}

async function isReady(adminUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${adminUrl}/healthz`)).ok;
  } catch {
    return false;
  }
}

// `workerman-app restart [-d]`: stops the running master (if any), then starts again with the same config.
import { loadConfig } from "../config/load.ts";
import { isAlive, readRuntimeInfo } from "../master/runtime-file.ts";
import { startCommand } from "./start.ts";
import { stopCommand } from "./stop.ts";

export async function restartCommand(configPath: string, daemon: boolean): Promise<number> {
  const config = await loadConfig(configPath);
  const running = readRuntimeInfo(config.dataDir);
  if (running && isAlive(running.pid)) {
    const stopped = await stopCommand(configPath, false);
    if (stopped !== 0) return stopped;
  } else {
    console.log("not running; starting");
  }
  return startCommand(configPath, daemon);
}

// `workerman-app stop [-g]`: signals the running master and waits until it has gone.
import { loadControlConfig } from "../admin/control-config.ts";
import { DEFAULT_STOP_TIMINGS } from "../config/defaults.ts";
import { findRunningMaster, isAlive } from "../master/runtime-file.ts";

export async function stopCommand(configPath: string, graceful: boolean): Promise<number> {
  const control = await loadControlConfig(configPath);
  const master = findRunningMaster(control.dataDir);
  const config = control.config ?? DEFAULT_STOP_TIMINGS;
  process.kill(master.pid, graceful ? "SIGQUIT" : "SIGTERM");
  console.log(`${graceful ? "graceful stop" : "stop"} sent to master pid ${master.pid}; waiting...`);
  // The master kills stragglers after stopTimeout (-g: gracefulTimeout) past the drain window; allow for that and its own exit.
  const waitSeconds = (graceful ? config.gracefulTimeout : config.stopTimeout) + config.drainWindowMs / 1000 + 10;
  const deadline = Date.now() + waitSeconds * 1000;
  while (isAlive(master.pid)) {
    if (Date.now() > deadline) {
      console.error(`master pid ${master.pid} is still running`);
      return 1;
    }
    await Bun.sleep(50);
  }
  console.log("stopped");
  return 0;
}

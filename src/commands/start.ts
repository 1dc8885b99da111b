// `workerman-app start`: runs the master in the foreground until it is stopped.
import { runMaster } from "../master/master.ts";

export function startCommand(configPath: string): Promise<number> {
  return runMaster(configPath);
}

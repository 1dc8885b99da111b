// The data directory holds the admin token, the audit log and the daemon log: this says so when other users can look inside.
import { statSync } from "node:fs";

/**
 * Only a warning for a folder that already exists: the operator chose its place (perhaps a shared deploy folder),
 * and a chmod there could break whatever else uses it. A folder we create is made 0700 (prepareDataDir).
 */
export function dataDirModeWarning(dataDir: string): string | null {
  try {
    const mode = statSync(dataDir).mode & 0o777;
    if ((mode & 0o077) === 0) return null;
    return `warning: the data directory ${dataDir} is mode 0${mode.toString(8)}: other users can list it (it holds the admin token, the audit log and workerman.log). Fix: chmod 700 ${dataDir}`;
  } catch {
    return null;
  }
}

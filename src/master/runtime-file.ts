// The master's runtime file (<dataDir>/runtime.json plus master.pid): how control commands find a running master.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RuntimeInfo } from "./status-records.ts";
import { AppError } from "../errors.ts";
import { masterTitle } from "../process-title.ts";

/** Why a data directory failed, in words, for the errno codes a wrong or broken dataDir gives. */
const DATA_DIR_FAULTS: Record<string, string> = {
  ENOTDIR: "a part of its path is a file, not a folder",
  EROFS: "it is on a read-only file system",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is used up",
  EEXIST: "it exists and is not a folder",
};

/** E_CONFIG (exit 2) naming dataDir and the fix, for a file-system error under dataDir; null for any other error. */
export function dataDirError(dataDir: string, err: unknown): AppError | null {
  const errno = err as NodeJS.ErrnoException;
  const why = typeof errno?.code === "string" ? DATA_DIR_FAULTS[errno.code] : undefined;
  if (why === undefined || (errno.path !== undefined && !`${errno.path}/`.startsWith(`${dataDir}/`) && !dataDir.startsWith(errno.path))) return null;
  const message = `cannot use ${dataDir}: ${why} (${errno.code}): set "dataDir" in app.json to a writable folder, or fix this one`;
  return new AppError("E_CONFIG", message, { field: "dataDir", cause: err });
}

/** Makes the data directory and proves it takes a file, before anything else is started. */
export function prepareDataDir(dataDir: string): void {
  const probe = join(dataDir, `.write-check-${process.pid}`);
  try {
    // 0700: it holds the token, the audit log and the daemon log (an existing one is only warned about: data-dir-mode.ts).
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (err) {
    throw dataDirError(dataDir, err) ?? err;
  }
}

export function runtimeFilePath(dataDir: string): string {
  return join(dataDir, "runtime.json");
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // A zombie (exited, not yet reaped by whoever inherited it) answers signal 0 too; restart waits on it.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return true;
  }
}

export function readRuntimeInfo(dataDir: string): RuntimeInfo | null {
  try {
    return JSON.parse(readFileSync(runtimeFilePath(dataDir), "utf8")) as RuntimeInfo;
  } catch {
    return null;
  }
}

/** The running master for this data directory, or E_NOT_RUNNING. */
export function findRunningMaster(dataDir: string): RuntimeInfo {
  const info = readRuntimeInfo(dataDir);
  if (!info || !isAlive(info.pid))
    throw new AppError("E_NOT_RUNNING", `no running master for this config (looked in ${runtimeFilePath(dataDir)}); start it first`);
  return info;
}

/** Refuses a second master (except `replacing`, the one a restart takes over from); replaces the file a dead one left behind, saying so. */
export function claimRuntimeFile(dataDir: string, replacing?: number): void {
  const info = readRuntimeInfo(dataDir);
  if (info && info.pid === replacing) return;
  if (info && info.pid !== process.pid && isAlive(info.pid)) {
    throw new AppError("E_ALREADY_RUNNING", `already running as pid ${info.pid} (admin ${info.adminUrl}); stop it first, or use another dataDir`);
  }
  if (info) console.warn(`note: replacing a stale runtime file: pid ${info.pid} is gone (it did not stop cleanly)`);
}

/** Written beside and renamed over: during a restart two masters and the CLI read it, and none may see half a file. */
export function writeRuntimeFile(dataDir: string, info: RuntimeInfo): void {
  mkdirSync(dataDir, { recursive: true });
  replaceFile(runtimeFilePath(dataDir), JSON.stringify(info, null, 2) + "\n", 0o600);
  replaceFile(join(dataDir, "master.pid"), `${info.pid}\n`, 0o644);
}

function replaceFile(path: string, text: string, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  renameSync(temp, path);
}

const START_LOCK = "master.lock";
const MASTER_TITLE = masterTitle("");

/**
 * The data directory is this master's from before its first worker until it stops (`<dataDir>/master.lock`, created
 * exclusively): the runtime file is written only once the workers are up, and two starts meanwhile would both serve
 * a fixed port through reusePort, one of them unseen. A lock left by a master that died, or whose pid another
 * program now has, is taken over.
 */
export function lockDataDir(dataDir: string): void {
  const path = join(dataDir, START_LOCK);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = lockHolder(path);
    if (holder !== null && holder !== process.pid && isLiveMaster(holder)) {
      throw new AppError("E_ALREADY_RUNNING", `already starting as pid ${holder} (its runtime file is not written yet): wait, then check status`);
    }
    rmSync(path, { force: true });
  }
  throw new AppError("E_ALREADY_RUNNING", `another master keeps taking ${path}: check status`);
}

function lockHolder(path: string): number | null {
  try {
    return Number(readFileSync(path, "utf8").trim()) || null;
  } catch {
    return null;
  }
}

/** A live master, by its title (process-title.ts; cut short when its arguments were short), not a reused pid. */
function isLiveMaster(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const title = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]!;
    return title.startsWith(MASTER_TITLE) || (title.length > 0 && MASTER_TITLE.startsWith(title));
  } catch {
    // No /proc (or not ours to read): trust the pid.
    return true;
  }
}

/** Gives this process's own lock back, best effort: a read-only disk must not hide the error being reported. */
export function unlockDataDir(dataDir: string): void {
  const path = join(dataDir, START_LOCK);
  try {
    if (lockHolder(path) === process.pid) rmSync(path, { force: true });
  } catch {
    // the lock is stale once this process is gone
  }
}

/** Best effort: a data directory gone read-only must not turn a clean stop (or a failed start's error) into a stack. */
export function removeRuntimeFile(dataDir: string): void {
  unlockDataDir(dataDir);
  const info = readRuntimeInfo(dataDir);
  if (info && info.pid !== process.pid) return;
  try {
    rmSync(runtimeFilePath(dataDir), { force: true });
    if (existsSync(join(dataDir, "master.pid"))) rmSync(join(dataDir, "master.pid"), { force: true });
  } catch (err) {
    console.warn(`warning: could not remove ${runtimeFilePath(dataDir)} (${(err as NodeJS.ErrnoException).code ?? err}); the next start replaces it`);
  }
}

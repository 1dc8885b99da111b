// The master's runtime file (<dataDir>/runtime.json plus master.pid): how control commands find a running master.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RuntimeInfo } from "../admin/contract.ts";
import { AppError } from "../errors.ts";

export function runtimeFilePath(dataDir: string): string {
  return join(dataDir, "runtime.json");
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
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
  if (!info || !isAlive(info.pid)) throw new AppError("E_NOT_RUNNING", `no running master for this config (looked in ${runtimeFilePath(dataDir)}); start it first`);
  return info;
}

/** Refuses a second master; replaces the file a dead one left behind, saying so. */
export function claimRuntimeFile(dataDir: string): void {
  const info = readRuntimeInfo(dataDir);
  if (info && info.pid !== process.pid && isAlive(info.pid)) {
    throw new AppError("E_ALREADY_RUNNING", `already running as pid ${info.pid} (admin ${info.adminUrl}); stop it first, or use another dataDir`);
  }
  if (info) console.warn(`note: replacing a stale runtime file: pid ${info.pid} is gone (it did not stop cleanly)`);
}

export function writeRuntimeFile(dataDir: string, info: RuntimeInfo): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(runtimeFilePath(dataDir), JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
  writeFileSync(join(dataDir, "master.pid"), `${info.pid}\n`);
}

export function removeRuntimeFile(dataDir: string): void {
  const info = readRuntimeInfo(dataDir);
  if (info && info.pid !== process.pid) return;
  rmSync(runtimeFilePath(dataDir), { force: true });
  if (existsSync(join(dataDir, "master.pid"))) rmSync(join(dataDir, "master.pid"), { force: true });
}

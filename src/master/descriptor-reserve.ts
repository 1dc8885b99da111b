// How many admin connections the master can afford: the open-files limit minus what it must keep to spawn, log and answer the CLI.
import { readFileSync } from "node:fs";

/** Log file, store (database, WAL, shared memory), lock and runtime files, listeners, the CLI's own connection, slack. */
const BASE_RESERVE = 64;
/** Per worker process the master holds an IPC socketpair end and stdout/stderr pipes; a spawn opens a few more at once. */
const PER_WORKER = 8;
/** Fewer than this and the dashboard itself (a page, its assets, an event stream) would not fit. */
const MIN_CONNECTIONS = 8;

export interface AdminConnectionBudget {
  /** The cap applied: admin.maxConnections, lowered when the descriptor limit leaves less room. */
  maxConnections: number;
  /** The soft RLIMIT_NOFILE (null where /proc does not say). */
  openFilesLimit: number | null;
  /** Descriptors kept out of the admin plane's reach. */
  reserve: number;
}

/** The soft open-files limit of this process, from /proc/self/limits. */
export function openFilesLimit(limitsText?: string): number | null {
  let text = limitsText;
  try {
    text ??= readFileSync("/proc/self/limits", "utf8");
  } catch {
    return null;
  }
  const soft = text.match(/^Max open files\s+(\d+|unlimited)/m)?.[1];
  return soft === undefined || soft === "unlimited" ? null : Number(soft);
}

/**
 * Every worker may run twice during a reload (old and new side by side), so the reserve counts them twice. Of what
 * is left, the admin plane gets half: the rest is headroom for what this estimate does not see.
 */
export function adminConnectionBudget(configured: number, workerProcesses: number, limit = openFilesLimit()): AdminConnectionBudget {
  const reserve = BASE_RESERVE + PER_WORKER * workerProcesses * 2;
  if (limit === null) return { maxConnections: configured, openFilesLimit: null, reserve };
  const affordable = Math.floor((limit - reserve) / 2);
  return { maxConnections: Math.max(MIN_CONNECTIONS, Math.min(configured, affordable)), openFilesLimit: limit, reserve };
}

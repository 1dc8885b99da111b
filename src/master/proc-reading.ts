// Reads a worker's CPU time and resident memory from /proc/<pid>, so the figures hold for a worker that cannot report.
import { readFileSync } from "node:fs";

/** Linux reports utime/stime in clock ticks of USER_HZ, which is 100 on every architecture Bun runs on. */
const TICKS_PER_SECOND = 100;

export interface ProcUsage {
  /** utime + stime of the process, in microseconds. */
  cpuMicros: number;
  /** VmRSS, in bytes. */
  rssBytes: number;
}

/** The process's CPU time and resident memory now, or null where /proc cannot tell (gone, or not Linux). */
export function readProcUsage(pid: number): ProcUsage | null {
  try {
    const cpuMicros = cpuMicrosOf(readFileSync(`/proc/${pid}/stat`, "utf8"));
    const rssBytes = rssBytesOf(readFileSync(`/proc/${pid}/status`, "utf8"));
    return cpuMicros === null || rssBytes === null ? null : { cpuMicros, rssBytes };
  } catch {
    return null;
  }
}

/** Fields 14 and 15 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so count from its last ")". */
export function cpuMicrosOf(stat: string): number | null {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return null;
  return ((utime + stime) * 1e6) / TICKS_PER_SECOND;
}

/** `VmRSS:   123456 kB` of /proc/<pid>/status. */
export function rssBytesOf(status: string): number | null {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

/** CPU use between two readings, in percent of one core. */
export function cpuPercentBetween(before: { cpuMicros: number; at: number }, after: { cpuMicros: number; at: number }): number {
  const elapsedMs = after.at - before.at;
  if (elapsedMs <= 0) return 0;
  return ((after.cpuMicros - before.cpuMicros) / 1000 / elapsedMs) * 100;
}

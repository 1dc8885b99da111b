// Process titles in `ps` ("workerman-app: worker web#0 gen 3"): Bun's process.title does not reach /proc/<pid>/cmdline.
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";

export function masterTitle(app: string): string {
  return `workerman-app: master ${app}`;
}

export function workerTitle(group: string, index: number, generation: number): string {
  return `workerman-app: worker ${group}#${index} gen ${generation}`;
}

/**
 * Overwrites this process's argument area (what `ps -o args` and /proc/<pid>/cmdline show) with `title`, cut to the
 * space the original arguments took: children are spawned with the title as argv[0] so it fits. Bun copied argv
 * into process.argv at start, so nothing reads that memory again. Linux only; elsewhere a no-op.
 */
export function setProcessTitle(title: string): void {
  process.title = title;
  if (process.platform !== "linux") return;
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // Fields after the command name (which may hold spaces): arg_start and arg_end are fields 48 and 49.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = Number(fields[45]);
    const end = Number(fields[46]);
    if (!(start > 0 && end > start)) return;
    const area = Buffer.alloc(end - start);
    area.write(title, 0, area.length - 1);
    const fd = openSync("/proc/self/mem", "r+");
    try {
      writeSync(fd, area, 0, area.length, start);
    } finally {
      closeSync(fd);
    }
  } catch {
    // A kernel that refuses /proc/self/mem writes leaves the title as it was: cosmetic only.
  }
}

// The open-files limit the idle-connection test can use, and the prefix that raises a child's soft limit to it.
import { readFileSync } from "node:fs";

export interface FdLimit {
  soft: number;
  hard: number;
  /** argv prefix that starts a process with soft = hard (empty when they already match). */
  prefix: string[];
}

export function fdLimit(): FdLimit {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"))!;
  const [soft, hard] = line
    .replace("Max open files", "")
    .trim()
    .split(/\s+/)
    .map((v) => (v === "unlimited" ? Infinity : Number(v)));
  // Raising the hard limit needs CAP_SYS_RESOURCE (containers usually drop it): the hard limit is as far as we go.
  const usable = Math.min(hard!, 1 << 20);
  return { soft: soft!, hard: usable, prefix: soft! < usable && Bun.which("prlimit") ? ["prlimit", `--nofile=${usable}:${usable}`, "--"] : [] };
}

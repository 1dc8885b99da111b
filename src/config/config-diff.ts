// What changes between two resolved configs: per group which settings differ, and which keys only a restart applies.
import type { AppConfig, ListenAddress, WorkerGroupConfig } from "./types.ts";

export type GroupChange = "added" | "removed" | "changed" | "unchanged";

export interface GroupDiff {
  name: string;
  change: GroupChange;
  /** The settings that differ (see GROUP_KEYS); [] for an added or removed group. */
  keys: string[];
}

export interface ConfigDiff {
  /** Groups of `next` in its order, then the groups only `previous` had. */
  groups: GroupDiff[];
  /** Dotted keys that changed but that the running master cannot apply live, e.g. "admin.listen". */
  needsRestart: string[];
}

/** The name a changed group setting is reported under, and the fields of WorkerGroupConfig it covers. */
const GROUP_KEYS: Record<string, (keyof WorkerGroupConfig)[]> = {
  listen: ["listen", "socketMode"],
  count: ["count"],
  handler: ["handler"],
  protocol: ["protocol"],
  env: ["env"],
  ssl: ["ssl"],
  static: ["static", "staticDotfiles", "staticOutsideSymlinks"],
  limits: [
    "maxPackageSize",
    "maxSendBufferSize",
    "maxMemoryMB",
    "maxBodySize",
    "idleTimeout",
    "maxBufferedInput",
    "packageTimeout",
    "maxConnections",
    "maxConnectionsPerIp",
    "watchdogSeconds",
  ],
  reloadable: ["reloadable"],
};

/**
 * Top-level keys and why each needs a new master (read in src/master/master.ts and what it starts):
 * - name: the channel relay namespaces its Redis keys with it when it starts, and workers get it at spawn;
 *   two names inside one cluster of processes would split it.
 * - dataDir: the runtime and pid files, the token and the SQLite store are opened there once.
 * - admin.*: the admin server binds admin.listen once; the token file is read once; the Host check, the
 *   password and metricsPublic are captured by the admin app when it is built.
 * - log.*: the daemon's LogFile is made once with its size and count.
 * - store.*: openStore captures the retention when it opens.
 * - cluster.redis: the Redis link is opened once by the channel relay.
 * - shared.*: worker.shared's store reads its limits once when the master starts.
 * - channel.history: the relay reads its rules once when it starts (and holds the history they shaped).
 * stopTimeout, gracefulTimeout and drainWindowMs are NOT here: the supervisor reads them from its config each time it
 * spawns or stops a process, so once a reload installs the new config they apply (see liveSettingChanges).
 */
const RESTART_SECTIONS = ["admin", "log", "store", "cluster", "shared", "channel"] as const;
const RESTART_KEYS = ["name", "dataDir"] as const;
export const LIVE_SETTINGS = ["stopTimeout", "gracefulTimeout", "drainWindowMs"] as const;

export function diffConfig(previous: AppConfig, next: AppConfig): ConfigDiff {
  const before = new Map(previous.workers.map((group) => [group.name, group]));
  const after = new Set(next.workers.map((group) => group.name));
  const groups: GroupDiff[] = next.workers.map((group) => {
    const old = before.get(group.name);
    if (!old) return { name: group.name, change: "added", keys: [] };
    const keys = changedGroupKeys(old, group);
    return { name: group.name, change: keys.length ? "changed" : "unchanged", keys };
  });
  for (const group of previous.workers) {
    if (!after.has(group.name)) groups.push({ name: group.name, change: "removed", keys: [] });
  }
  return { groups, needsRestart: restartKeys(previous, next) };
}

/** Top-level settings that changed and apply from the reload on (for display; the reload needs no restart). */
export function liveSettingChanges(previous: AppConfig, next: AppConfig): string[] {
  return LIVE_SETTINGS.filter((key) => !same(previous[key], next[key]));
}

/** True when a reload would change nothing at all. */
export function isEmptyDiff(diff: ConfigDiff): boolean {
  return diff.needsRestart.length === 0 && diff.groups.every((group) => group.change === "unchanged");
}

function changedGroupKeys(old: WorkerGroupConfig, group: WorkerGroupConfig): string[] {
  return Object.entries(GROUP_KEYS)
    .filter(([, fields]) => fields.some((field) => !sameField(field, old, group)))
    .map(([key]) => key);
}

function sameField(field: keyof WorkerGroupConfig, old: WorkerGroupConfig, group: WorkerGroupConfig): boolean {
  if (field === "listen") return sameListen(old.listen, group.listen);
  return same(old[field], group[field]);
}

/**
 * A running master's config has its `:0` ports resolved (the group keeps that port across reloads),
 * while the file still says 0: the address as written decides, plus the resolved path and a concrete port.
 */
function sameListen(old: ListenAddress, next: ListenAddress): boolean {
  if (old.scheme !== next.scheme || old.host !== next.host || old.path !== next.path) return false;
  if (next.port === 0) return old.url === next.url;
  return old.port === next.port;
}

function restartKeys(previous: AppConfig, next: AppConfig): string[] {
  const keys: string[] = RESTART_KEYS.filter((key) => !same(previous[key], next[key]));
  for (const section of RESTART_SECTIONS) {
    const old = (previous[section] ?? {}) as Record<string, unknown>;
    const now = (next[section] ?? {}) as Record<string, unknown>;
    if (section === "admin") {
      // The admin address is kept as host and port; users write it as admin.listen.
      if (old.host !== now.host || old.port !== now.port) keys.push("admin.listen");
    }
    const names = new Set([...Object.keys(old), ...Object.keys(now)]);
    for (const name of names) {
      if (section === "admin" && (name === "host" || name === "port")) continue;
      if (!same(old[name], now[name])) keys.push(`${section}.${name}`);
    }
  }
  return keys;
}

/** Structural equality of JSON-like values; an undefined property equals a missing one. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const key of keys) if (!same(ra[key], rb[key])) return false;
  return true;
}

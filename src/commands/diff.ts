// `workerman-app diff [--config F] [--json]`: what a reload with F would change, per group, against the running master; applies nothing.
import { adminRequest } from "../admin/client.ts";
import type { RunningConfigResponse } from "../admin/contract.ts";
import { diffConfig, liveSettingChanges, type ConfigDiff } from "../config/config-diff.ts";
import { loadConfig } from "../config/load.ts";
import type { AppConfig } from "../config/types.ts";
import { planReload } from "../master/config-reload.ts";
import { hideSecrets } from "../store/config-history.ts";

/** `diff --json` prints this. */
export interface DiffReport extends ConfigDiff {
  /** The running master's config version (its config history), null when its store is unavailable. */
  runningVersion: number | null;
  /** Master-level settings that change and apply from the reload on (stopTimeout, drainWindowMs). */
  settings: string[];
}

export async function diffCommand(configPath: string, json: boolean): Promise<number> {
  // Validated first: an invalid file exits 2 naming the field, before any master is asked anything.
  const next = hideSecrets(await loadConfig(configPath));
  const running = await adminRequest<RunningConfigResponse>(configPath, "/api/config");
  const previous = running.config as unknown as AppConfig;
  // The reload's own plan names what it would defer to a restart (reloadable: false groups, unix listen paths) besides the top-level keys.
  const { needsRestart } = planReload(previous, next);
  const report: DiffReport = { runningVersion: running.version, ...diffConfig(previous, next), needsRestart, settings: liveSettingChanges(previous, next) };
  console.log(json ? JSON.stringify(report, null, 2) : diffText(report, next.configPath));
  return 0;
}

export function diffText(report: DiffReport, file: string): string {
  const width = Math.max(...report.groups.map((g) => g.name.length));
  const lines = report.groups.map((group) => {
    const what = group.change === "changed" ? `changed: ${group.keys.join(", ")}` : group.change;
    return `  ${group.name.padEnd(width)}  ${what}`;
  });
  const version = report.runningVersion === null ? "" : ` (config version ${report.runningVersion})`;
  const out = [`a reload with ${file} against the running master${version}:`, ...lines];
  if (report.settings.length) out.push(`  settings: ${report.settings.join(", ")} (apply from the reload on)`);
  if (report.needsRestart.length) out.push(`  needs restart: ${report.needsRestart.join(", ")} (a reload keeps the running values; use restart)`);
  return out.join("\n");
}

// A reload re-reads app.json: invalid is refused (nothing changes); valid becomes per-group plans for the supervisor's gated transaction.
import { diffConfig } from "../config/config-diff.ts";
import { loadConfig } from "../config/load.ts";
import type { AppConfig, WorkerGroupConfig } from "../config/types.ts";
import type { GroupPlan } from "./reload-transaction.ts";
import { refuseBusyPorts } from "./port-check.ts";
import { resolvePort } from "./resolve-ports.ts";
import type { ConfigReloadSupervisor } from "./supervisor-interface.ts";
import type { ReloadHandle } from "./supervisor-options.ts";

export interface ConfigReloadOptions {
  group?: string;
  graceful?: boolean;
  /** Who asked (recorded with the applied config): "signal", "token", "session". */
  who: string;
}

/** Called once the reload has ended with the config the master now runs (the config history records it). */
export type ConfigApplied = (config: AppConfig, who: string) => void;

/** Loads and validates app.json (an E_CONFIG naming the field when it is wrong), then starts the reload it calls for. */
export async function reloadFromConfigFile(supervisor: ConfigReloadSupervisor, options: ConfigReloadOptions, applied: ConfigApplied): Promise<ReloadHandle> {
  const previous = supervisor.config;
  const next = await keepResolvedPorts(previous, await loadConfig(previous.configPath, { remember: true }));
  // A changed address another process holds is refused before anything starts; this master's own processes keep theirs.
  const moved = (name: string) => previous.workers.find((g) => g.name === name)?.listen.url !== next.workers.find((g) => g.name === name)?.listen.url;
  await refuseBusyPorts(next, { ours: [process.pid] }, (name) => (options.group === undefined || name === options.group) && moved(name));
  const { plans, needsRestart } = planReload(previous, next, options.group);
  const handle = supervisor.reload({ group: options.group, graceful: options.graceful, plans, config: next, needsRestart });
  // Only what was applied is recorded: a rolled-back group keeps its old settings in supervisor.config.
  void handle.done.then(() => JSON.stringify(supervisor.config) !== JSON.stringify(previous) && applied(supervisor.config, options.who));
  return handle;
}

/** Per group: what the diff says, reduced to what can be applied live; the rest is named in needsRestart. */
export function planReload(previous: AppConfig, next: AppConfig, only?: string): { plans: GroupPlan[]; needsRestart: string[] } {
  const diff = diffConfig(previous, next);
  const needsRestart = [...diff.needsRestart];
  const before = new Map(previous.workers.map((g) => [g.name, g]));
  const after = new Map(next.workers.map((g) => [g.name, g]));
  const plans: GroupPlan[] = [];
  for (const { name, change, keys } of diff.groups) {
    if (only !== undefined && name !== only) continue;
    const old = before.get(name);
    const group = after.get(name);
    if (change === "removed") {
      plans.push({ name, change, keys });
    } else if (change !== "added" && !(old!.reloadable && group!.reloadable)) {
      // Workerman's rule: a "reloadable": false group keeps its processes; a change to it waits for a restart.
      if (change === "changed") needsRestart.push(`workers.${name} (reloadable: false)`);
    } else if (group!.listen.scheme === "unix" && (change === "added" || keys.includes("listen"))) {
      // The master binds unix sockets once at start and hands the descriptor to every generation.
      needsRestart.push(`workers.${name}.listen (unix sockets are bound at start)`);
    } else {
      plans.push({ name, change, keys, next: group! });
    }
  }
  return { plans, needsRestart };
}

/** A group whose listen URL is unchanged keeps the port the master resolved for `:0`; new `:0` addresses get one now. */
async function keepResolvedPorts(previous: AppConfig, next: AppConfig): Promise<AppConfig> {
  const before = new Map(previous.workers.map((g) => [g.name, g]));
  const workers = await Promise.all(
    next.workers.map(async (group): Promise<WorkerGroupConfig> => {
      const old = before.get(group.name);
      if (old && old.listen.url === group.listen.url) return { ...group, listen: old.listen };
      return { ...group, listen: await resolvePort(group.listen) };
    }),
  );
  return { ...next, workers };
}

// What a reload request asks of the supervisor, checked before anything starts: the groups it names and the plans it runs.
import type { AppConfig } from "../config/types.ts";
import { AppError } from "../errors.ts";
import type { GroupPlan } from "./reload-transaction.ts";
import { unchangedPlans } from "./slot.ts";
import type { ReloadOptions } from "./supervisor-options.ts";

/** The plans of the reload, or an E_USAGE the operator can act on; `reloading` maps a group under way to its reload. */
export function reloadPlans(config: AppConfig, options: ReloadOptions, reloading: ReadonlyMap<string, number>, stopping: boolean): GroupPlan[] {
  if (stopping) throw new AppError("E_USAGE", "the master is stopping");
  const groups = config.workers;
  if (options.group !== undefined && !groups.some((g) => g.name === options.group) && !options.plans?.some((p) => p.name === options.group)) {
    throw new AppError("E_USAGE", `no group "${options.group}" (groups: ${groups.map((g) => g.name).join(", ")})`);
  }
  const plans = options.plans ?? unchangedPlans(groups, options.group);
  if (options.group !== undefined && plans.length === 0) {
    throw new AppError("E_USAGE", `group "${options.group}" has "reloadable": false; restart its processes one by one instead`);
  }
  const busy = plans.find((p) => reloading.has(p.name));
  if (busy) throw new AppError("E_CONFLICT", `a reload of group "${busy.name}" is under way (reload ${reloading.get(busy.name)}): wait for it to end`);
  return plans;
}

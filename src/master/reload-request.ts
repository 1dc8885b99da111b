// Checks what a reload asks for against the running groups and turns it into one plan per group, or refuses with E_USAGE.
import type { WorkerGroupConfig } from "../config/types.ts";
import { AppError } from "../errors.ts";
import type { GroupPlan } from "./reload-transaction.ts";
import { unchangedPlans } from "./slot.ts";
import type { ReloadOptions } from "./supervisor-options.ts";

/** `reloading`: groups with a reload under way, and its generation (two reloads never fight over one group). */
export function reloadPlans(groups: WorkerGroupConfig[], options: ReloadOptions, reloading: Map<string, number>): GroupPlan[] {
  if (options.group !== undefined && !groups.some((g) => g.name === options.group) && !options.plans?.some((p) => p.name === options.group)) {
    throw new AppError("E_USAGE", `no group "${options.group}" (groups: ${groups.map((g) => g.name).join(", ")})`);
  }
  const plans = options.plans ?? unchangedPlans(groups, options.group);
  if (options.group !== undefined && plans.length === 0) {
    throw new AppError("E_USAGE", `group "${options.group}" has "reloadable": false; restart its processes one by one instead`);
  }
  const busy = plans.find((p) => reloading.has(p.name));
  if (busy) throw new AppError("E_USAGE", `a reload of group "${busy.name}" is under way (reload ${reloading.get(busy.name)}): wait for it to end`);
  return plans;
}

// Refuses at `check` what the kernel would refuse at spawn (E2BIG): a group's environment and launch data past a safe size.
import type { ConfigProblems } from "./problems.ts";
import type { WorkerGroupConfig } from "./types.ts";

const KiB = 1024;
/** The kernel's MAX_ARG_STRLEN: one `KEY=value` string of a new process's environment must stay below it. */
const MAX_ARG_STRLEN = 128 * KiB;
/**
 * The group's env plus the launch data (one more variable, which holds the group's config and so its env again).
 * Well under the 2 MiB or so the kernel allows in all, and under MAX_ARG_STRLEN for the launch variable itself.
 */
export const SPAWN_ENV_LIMIT = 128 * KiB;

const bytes = (text: string) => Buffer.byteLength(text);
const kib = (n: number) => `${(n / KiB).toFixed(1)} KiB`;

/** `groups[i]` is undefined when that group failed to resolve. */
export function checkSpawnSizes(appName: string, groups: readonly (WorkerGroupConfig | undefined)[], problems: ConfigProblems): void {
  groups.forEach((group, index) => {
    if (group) checkGroup(appName, group, index, problems);
  });
}

function checkGroup(appName: string, group: WorkerGroupConfig, index: number, problems: ConfigProblems): void {
  for (const [key, value] of Object.entries(group.env)) {
    const size = bytes(`${key}=${value}`) + 1;
    if (size >= MAX_ARG_STRLEN) {
      problems.add(
        `workers[${index}].env.${key}`,
        `${kib(size)} is over the ${kib(MAX_ARG_STRLEN)} the kernel allows one variable: keep large values in a file and read it in onWorkerStart`,
      );
      return;
    }
  }
  const envSize = Object.entries(group.env).reduce((sum, [key, value]) => sum + bytes(`${key}=${value}`) + 1, 0);
  // The launch data as the master writes it (src/master/worker-process.ts), with room for the largest index and generation.
  const launch = JSON.stringify({ appName, group, index: 999_999, generation: 999_999_999, stopTimeoutMs: 1e9, gracefulTimeoutMs: 1e9, drainWindowMs: 1e9 });
  const total = envSize + bytes(launch);
  if (total <= SPAWN_ENV_LIMIT) return;
  const field = envSize >= bytes(group.name) ? `workers[${index}].env` : `workers[${index}].name`;
  problems.add(
    field,
    `the group's environment (${kib(envSize)}) and its launch data (${kib(bytes(launch))}) come to ${kib(total)}, over the ${kib(SPAWN_ENV_LIMIT)} a process is safely started with (E2BIG): keep large values in a file and read it in onWorkerStart`,
  );
}

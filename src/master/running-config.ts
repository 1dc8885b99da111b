// The one holder of the config the master runs now: a reload's commit, a removed group and a probation rollback change it here; everyone else reads it.
import type { AppConfig, WorkerGroupConfig } from "../config/types.ts";
import { withGroup } from "./slot.ts";

export class RunningConfig {
  #config: AppConfig;

  constructor(config: AppConfig) {
    this.#config = config;
  }

  get current(): AppConfig {
    return this.#config;
  }

  /** A reload's top-level settings (stopTimeout, drainWindowMs, reload) apply from now on. */
  applyLiveSettings(next: AppConfig | undefined): void {
    this.#config = withLiveSettings(this.#config, next);
  }

  /** `group` runs now: replacing its namesake, or (a new group) where `order` (the next app.json's group names) puts it. */
  putGroup(group: WorkerGroupConfig, order: string[] = []): void {
    this.#config = { ...this.#config, workers: withGroup(this.#config.workers, group, order) };
  }

  removeGroup(name: string): void {
    this.#config = { ...this.#config, workers: this.#config.workers.filter((g) => g.name !== name) };
  }

  /** The group's settle window. */
  healthyMs(group?: WorkerGroupConfig): number {
    return (group?.healthySeconds ?? this.#config.reload.healthySeconds) * 1000;
  }

  stopDeadlineMs(graceful: boolean): number {
    return stopDeadlineMs(this.#config, graceful);
  }
}

/** The top-level settings a reload applies from now on (the rest of the master's config needs a restart). */
export function withLiveSettings(config: AppConfig, next: AppConfig | undefined): AppConfig {
  if (!next) return config;
  const { stopTimeout, gracefulTimeout, drainWindowMs, reload } = next;
  return { ...config, stopTimeout, gracefulTimeout, drainWindowMs, reload };
}

/**
 * How long an asked stop may take before SIGKILL: every stop has a deadline, a graceful one too (a hung process would
 * keep its listener open forever). A worker ends itself at its own deadline (stopTimeout or gracefulTimeout after the
 * drain window), closing what is left in order; the SIGKILL 2 s later is for one that cannot.
 */
export function stopDeadlineMs(config: AppConfig, graceful: boolean): number {
  const { stopTimeout, gracefulTimeout, drainWindowMs } = config;
  return (graceful ? gracefulTimeout : stopTimeout) * 1000 + drainWindowMs + 2000;
}

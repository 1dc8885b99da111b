// A reload across instances, one at a time, each through its own health gate; the first that rolls back or fails stops the run.
import type { ClusterInstance, ClusterReloadRecord, ClusterReloadStep } from "./cluster-records.ts";
import type { ReloadRecord } from "../master/records.ts";
import { AppError } from "../errors.ts";

export interface RollingReloadDeps {
  list: () => Promise<ClusterInstance[]>;
  /** This instance's own reload, to its end (throws an AppError when refused). */
  reloadSelf: (graceful: boolean) => Promise<ReloadRecord>;
  /** Another instance's, over the signed command channel, to its end (throws with a sentence when refused or silent). */
  reloadRemote: (instance: string, graceful: boolean) => Promise<ReloadRecord>;
}

/** Recent runs kept for GET /api/cluster/reloads/:id. */
const KEEP = 20;

export class RollingReloads {
  readonly #records = new Map<number, ClusterReloadRecord>();
  #nextId = 1;
  #running = false;

  constructor(private readonly deps: RollingReloadDeps) {}

  get(id: number): ClusterReloadRecord | undefined {
    return this.#records.get(id);
  }

  /** Checks the run can start, then runs it in the background; the record it answers with fills in as it goes. */
  async start(graceful: boolean, order?: string[]): Promise<ClusterReloadRecord> {
    if (this.#running) throw new AppError("E_CONFLICT", "a cluster reload is under way: wait for it to end (GET /api/cluster/reloads)");
    const targets = chooseTargets(await this.deps.list(), order);
    const labels = labelsOf(targets);
    const record: ClusterReloadRecord = {
      id: this.#nextId++,
      state: "running",
      graceful,
      startedAt: Date.now(),
      steps: targets.map((i) => ({ instance: i.id, host: i.host, label: labels.get(i.id)!, self: i.self, state: "waiting" })),
    };
    this.#records.set(record.id, record);
    for (const id of this.#records.keys()) if (this.#records.size > KEEP) this.#records.delete(id);
    this.#running = true;
    void this.#run(record).finally(() => (this.#running = false));
    return record;
  }

  async #run(record: ClusterReloadRecord): Promise<void> {
    for (const step of record.steps) {
      if (record.stoppedAfter !== undefined) {
        step.state = "not-reloaded";
        continue;
      }
      await this.#runStep(record, step);
      if (step.state !== "replaced") record.stoppedAfter = step.label;
    }
    record.state = record.stoppedAfter === undefined ? "done" : "stopped";
    record.finishedAt = Date.now();
  }

  async #runStep(record: ClusterReloadRecord, step: ClusterReloadStep): Promise<void> {
    step.state = "reloading";
    try {
      const result = step.self ? await this.deps.reloadSelf(record.graceful) : await this.deps.reloadRemote(step.instance, record.graceful);
      step.record = result;
      step.state = result.state === "done" ? "replaced" : result.state === "rolled-back" ? "rolled-back" : "failed";
      if (result.error) step.error = result.error;
    } catch (err) {
      step.state = "failed";
      step.error = (err as Error).message;
    }
  }
}

/**
 * Without an order: every instance, this one last (its own admin plane answers the caller until the end). With one:
 * the named instances (host names or ids) in that order, each name matching exactly one.
 */
export function chooseTargets(instances: ClusterInstance[], order?: string[]): ClusterInstance[] {
  const targets = order?.length ? order.map((name) => pick(instances, name)) : [...instances.filter((i) => !i.self), ...instances.filter((i) => i.self)];
  if (new Set(targets.map((i) => i.id)).size !== targets.length) throw new AppError("E_USAGE", "order names an instance twice", { field: "order" });
  const stale = targets.filter((i) => i.stale);
  if (stale.length) {
    const names = stale.map((i) => `${i.host} (${i.id})`).join(", ");
    throw new AppError("E_CONFLICT", `${names} stopped announcing itself: wait a few seconds for it to come back or leave the list`);
  }
  const deaf = targets.filter((i) => !i.self && !i.commands);
  if (deaf.length) {
    throw new AppError("E_USAGE", `${deaf.map((i) => i.host).join(", ")} runs without cluster.secretFile: it refuses cluster commands`, {
      field: "cluster.secretFile",
    });
  }
  return targets;
}

function pick(instances: ClusterInstance[], name: string): ClusterInstance {
  const byId = instances.find((i) => i.id === name);
  if (byId) return byId;
  const byHost = instances.filter((i) => i.host === name);
  if (byHost.length === 1) return byHost[0]!;
  const known = instances.map((i) => `${i.host} (${i.id})`).join(", ");
  const why = byHost.length ? `${byHost.length} instances run on host "${name}": name them by id` : `no instance "${name}"`;
  throw new AppError("E_USAGE", `order: ${why}; the instances are ${known}`, { field: "order" });
}

/** Host names, made unique with the master pid where several instances share one. */
function labelsOf(targets: ClusterInstance[]): Map<string, string> {
  const perHost = new Map<string, number>();
  for (const i of targets) perHost.set(i.host, (perHost.get(i.host) ?? 0) + 1);
  return new Map(targets.map((i) => [i.id, perHost.get(i.host)! > 1 ? `${i.host}:${i.masterPid}` : i.host]));
}

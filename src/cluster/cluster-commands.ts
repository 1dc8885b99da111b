// The signed command side of the cluster plane: the secret, the bus on Redis, the rolling reloads, and what refused commands leave behind.
import type { Cluster } from "../channel/cluster/cluster.ts";
import { AppError } from "../errors.ts";
import type { MasterStore } from "../store/master-store.ts";
import { readClusterSecret } from "./cluster-secret.ts";
import type { ClusterEvent, ClusterInstance, ClusterReloadRecord } from "./cluster-records.ts";
import { CommandBus } from "./command-bus.ts";
import { answerReload, reloadRemote, type LocalReload } from "./remote-reload.ts";
import { answerRestart, restartRemote } from "./remote-restart.ts";
import { RollingReloads } from "./rolling-reload.ts";
import type { Refusal } from "./signed-command.ts";

/** Refused commands written to the audit log per minute; past it they are only counted (status, /metrics) and summarized by the event gate. */
const AUDIT_REFUSALS_PER_MINUTE = 20;

export interface ClusterCommandsInputs {
  cluster: Pick<Cluster, "publishCommand" | "onCommand"> | null;
  self: string;
  secretFile?: string;
  list: () => Promise<ClusterInstance[]>;
  emit: (event: ClusterEvent) => void;
}

export class ClusterCommands {
  readonly #bus: CommandBus | null;
  readonly #reloads: RollingReloads;
  #store: MasterStore | null = null;
  #reload: LocalReload | null = null;
  #restart: ((pid: number) => boolean) | null = null;
  #auditWindow = { start: 0, written: 0 };

  constructor(private readonly inputs: ClusterCommandsInputs) {
    // Read at start: a master whose secret file is missing, short or readable by others does not start.
    const secret = readClusterSecret(inputs.secretFile);
    const cluster = inputs.cluster;
    this.#bus = cluster
      ? new CommandBus({
          link: cluster,
          self: inputs.self,
          secret,
          handle: (kind, body, from) => this.#handle(kind, body, from),
          refused: (from, kind, reason) => this.#refused(from, kind, reason),
        })
      : null;
    if (cluster && this.#bus) cluster.onCommand = (text) => this.#bus?.receive(text);
    this.#reloads = new RollingReloads({
      list: inputs.list,
      reloadSelf: async (graceful) => (await this.#localReload()({ graceful, who: `cluster:${inputs.self}` })).done,
      reloadRemote: (instance, graceful) => reloadRemote(this.#bus!, instance, graceful),
    });
  }

  /** On with cluster.redis and cluster.secretFile; off, the cluster view is read-only. */
  get enabled(): boolean {
    return this.#bus?.enabled ?? false;
  }

  get counts() {
    return { on: this.enabled, accepted: this.#bus?.counts.accepted ?? 0, refused: { ...this.#bus?.counts.refused } };
  }

  /** Given once the store is open: what other instances ask runs through these and is audited there. */
  wire(store: MasterStore, reload: LocalReload, restart: (pid: number) => boolean): void {
    this.#store = store;
    this.#reload = reload;
    this.#restart = restart;
  }

  /** Replaces one worker process of another instance (its own restart: the successor is ready before it drains). */
  restartRemote(instance: string, pid: number): Promise<void> {
    this.#requireOn();
    return restartRemote(this.#bus!, instance, pid);
  }

  startReload(graceful: boolean, order?: string[]): Promise<ClusterReloadRecord> {
    this.#requireOn();
    return this.#reloads.start(graceful, order);
  }

  #requireOn(): void {
    if (this.enabled) return;
    const why = this.#bus ? "cluster.secretFile is not set" : "there is no cluster.redis";
    throw new AppError("E_USAGE", `cluster commands are off: ${why} (see docs/cluster.md)`, { field: "cluster.secretFile" });
  }

  reloadRecord(id: number): ClusterReloadRecord | undefined {
    return this.#reloads.get(id);
  }

  #localReload(): LocalReload {
    if (!this.#reload) throw new AppError("E_UNAVAILABLE", "this master is still starting: try again in a moment");
    return this.#reload;
  }

  #handle(kind: string, body: Record<string, unknown>, from: string): void {
    const audit = (result: string) => this.#audit({ action: `cluster-${kind}`, actor: `cluster:${from}`, result, detail: { from } });
    if (kind === "restart-process") return answerRestart(this.#bus!, this.#restart, from, body, audit);
    if (kind !== "reload") return audit(`refused: unknown command "${kind}"`);
    if (!this.#reload) {
      audit("refused: this master is still starting");
      this.#bus?.send(from, "reply", { rid: String(body.rid), phase: "refused", error: "the master is still starting" });
      return;
    }
    void answerReload(this.#bus!, this.#reload, from, body, audit);
  }

  #refused(from: string, kind: string, reason: Refusal): void {
    this.inputs.emit({ type: "cluster-command-refused", from, kind, reason });
    const now = Date.now();
    if (now - this.#auditWindow.start >= 60_000) this.#auditWindow = { start: now, written: 0 };
    if (this.#auditWindow.written++ >= AUDIT_REFUSALS_PER_MINUTE) return;
    this.#audit({ action: `cluster-${kind}`, actor: "none", result: `refused: ${reason}`, detail: { from, reason } });
  }

  #audit(entry: { action: string; actor: string; result: string; detail: Record<string, unknown> }): void {
    this.#store?.log.recordAudit({ at: Date.now(), target: this.inputs.self, source: "redis", ...entry });
  }
}

// This master's part in the cluster beyond the channel: the link's events and status facts, its announcement, the instance list.
import { hostname } from "node:os";
import type { ClusterInstance, ClusterResponse, ClusterEvent } from "./cluster-records.ts";
import type { StatusCluster } from "../channel/cluster/cluster-status.ts";
import type { StatusResponse } from "../master/status-records.ts";
import type { ChannelRelay } from "../channel/master/relay.ts";
import type { AppConfig } from "../config/types.ts";
import { AppError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { Announcer, type OwnEntry } from "./announcer.ts";
import { ClusterCommands } from "./cluster-commands.ts";
import type { LocalReload } from "./remote-reload.ts";
import type { MasterStore } from "../store/master-store.ts";
import { LinkWatch } from "./link-watch.ts";

/** Four polls a second: a lost link shows in status and events well within a second of the link noticing. */
const WATCH_MS = 250;
const ANNOUNCE_MS = 1000;

export interface ClusterPlaneInputs {
  config: AppConfig;
  channel: Pick<ChannelRelay, "cluster" | "instance" | "status">;
  startedAt: number;
  /** This master's groups and process rows, as /api/status shows them. */
  rows: () => Pick<StatusResponse, "groups" | "processes">;
  emit: (event: ClusterEvent) => void;
}

export class ClusterPlane {
  readonly #watch: LinkWatch;
  readonly #announcer: Announcer | null;
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  /** Signed commands between instances (reload --cluster); off without cluster.secretFile. */
  readonly commands: ClusterCommands;
  #adminUrl = "";

  constructor(private readonly inputs: ClusterPlaneInputs) {
    const cluster = inputs.channel.cluster;
    this.#announcer = cluster ? new Announcer(cluster, () => this.#ownEntry()) : null;
    this.#watch = new LinkWatch({
      read: () => inputs.channel.status(),
      resynced: () => cluster?.lastResync ?? null,
      instances: () => this.#announcer?.instances ?? null,
      emit: inputs.emit,
    });
    this.commands = new ClusterCommands({
      cluster,
      self: inputs.channel.instance,
      secretFile: inputs.config.cluster?.secretFile,
      list: () => this.#listOrThrow(),
      emit: inputs.emit,
    });
    if (!cluster) return;
    this.#timers.push(setInterval(() => this.#watch.tick(), WATCH_MS));
    this.#timers.push(setInterval(() => void this.#announce(), ANNOUNCE_MS));
  }

  /** This instance's id among the instances. */
  get self(): string {
    return this.inputs.channel.instance;
  }

  /** The admin plane's handle, wired with the store (audit) and the reload that remote commands run. */
  forAdmin(store: MasterStore, reload: LocalReload, restart: (pid: number) => boolean): this {
    this.commands.wire(store, reload, restart);
    return this;
  }

  /** Called once the admin plane listens: other instances' views link to it. */
  attach(adminUrl: string): void {
    this.#adminUrl = adminUrl;
    void this.#announce();
  }

  /** The channel's view of the link with what the plane adds: since when it is down, how many instances are live. */
  linkStatus(): StatusCluster | null {
    const base = this.inputs.channel.status();
    if (!base) return null;
    // A reader between two polls sees the link's state and the watch's "since" agree (and the event already sent).
    this.#watch.tick();
    const instances = base.connected ? (this.#announcer?.instances ?? null) : null;
    return { ...base, disconnectedSince: this.#watch.disconnectedSince, instances, commands: this.commands.counts };
  }

  /** GET /api/cluster: every announced instance; this one alone without a cluster, or when Redis does not answer. */
  async view(): Promise<ClusterResponse> {
    const cluster = this.inputs.channel.cluster;
    const commands = this.commands.enabled;
    const alone = (error?: string): ClusterResponse => ({
      connected: cluster ? false : null,
      commands,
      ...(error ? { error } : {}),
      instances: [this.#selfInstance()],
    });
    if (!cluster || !this.#announcer) return alone();
    if (!cluster.connected) return alone(`not connected to Redis: ${this.inputs.channel.status()?.lastError ?? "connecting"}`);
    try {
      return { connected: true, commands, instances: await this.#announcer.list() };
    } catch (err) {
      return alone(`Redis did not answer: ${(err as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    if (this.inputs.channel.cluster?.connected) await this.#announcer?.withdraw().catch(() => {});
  }

  /** The instances a rolling reload goes through: it cannot start without Redis. */
  async #listOrThrow(): Promise<ClusterInstance[]> {
    const view = await this.view();
    if (!view.connected) throw new AppError("E_UNAVAILABLE", `the cluster cannot be listed: ${view.error ?? "no cluster.redis"}`);
    return view.instances;
  }

  async #announce(): Promise<void> {
    if (!this.inputs.channel.cluster?.connected) return;
    // A refresh that fails is the link's to count and report; the next one tries again.
    await this.#announcer?.refresh().catch(() => {});
  }

  #ownEntry(): OwnEntry {
    const { config, channel, startedAt } = this.inputs;
    const { groups, processes } = this.inputs.rows();
    return {
      id: channel.instance,
      app: config.name,
      host: hostname(),
      masterPid: process.pid,
      admin: this.#adminUrl,
      version: VERSION,
      startedAt,
      commands: this.commands.enabled,
      groups,
      // The handler's own worker.metrics stay on their host: they are the app's to size, and sent every second.
      processes: processes.map(({ metrics: _, ...row }) => row),
    };
  }

  #selfInstance(): ClusterInstance {
    return { ...this.#ownEntry(), lastSeenAt: Date.now(), self: true, stale: false };
  }
}

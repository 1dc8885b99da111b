// One simulated master: a real Supervisor over simulated processes and clock, the release on disk per group, and how each operation is applied.
import type { ReloadRecord } from "../../src/admin/contract.ts";
import type { AppConfig, WorkerGroupConfig } from "../../src/config/types.ts";
import { AppError } from "../../src/errors.ts";
import { planReload } from "../../src/master/config-reload.ts";
import { Supervisor } from "../../src/master/supervisor.ts";
import type { SpawnOptions, WorkerProcess } from "../../src/master/worker-process.ts";
import { SimClock, settle } from "./sim-clock.ts";
import type { Op } from "./sim-ops.ts";
import { STATS_EVERY_MS, SimProcess, type Release } from "./sim-process.ts";
import { mix } from "./sim-random.ts";

/** What an operator may be told instead of an action: not possible now (E_USAGE), or another reload of the group is under way (E_CONFLICT). */
const REFUSALS = new Set<string>(["E_USAGE", "E_CONFLICT"]);

export interface TrackedReload {
  record: ReloadRecord;
  settled: boolean;
  error?: unknown;
}

export interface StopTrack {
  at: number;
  graceful: boolean;
  done: boolean;
  /** The last pid spawned before the stop began: anything after it was spawned while stopping. */
  lastPidBefore: number;
}

export class SimWorld {
  readonly clock = new SimClock();
  readonly procs: SimProcess[] = [];
  readonly disk = new Map<string, Release>();
  readonly reloads: TrackedReload[] = [];
  readonly supervisor: Supervisor;
  /** Errors an operation threw that were not a refusal the operator would see. */
  readonly unexpected: string[] = [];
  /** What the supervisor's process table reported as a broken invariant (in production: a line on the master's log). */
  readonly broken: string[] = [];
  stop?: StopTrack;
  failSpawns = 0;
  #nextPid = 1000;

  constructor(
    readonly seed: number,
    config: AppConfig,
    /** Groups a config reload can add (by name). */
    readonly extraGroups: WorkerGroupConfig[],
  ) {
    const invariantBroken = (text: string) => void this.broken.push(text);
    this.supervisor = new Supervisor({
      config,
      listenFds: new Map(),
      log: () => {},
      spawner: (o) => this.#spawn(o),
      clock: this.clock,
      invariantBroken,
      prespawnLeadMs: 60,
    });
    this.#heartbeat();
  }

  /** Every working process reports each second: one timer for all of them keeps the simulation cheap. */
  #heartbeat(): void {
    this.clock.setTimeout(() => {
      for (const proc of this.live) proc.tick();
      this.#heartbeat();
    }, STATS_EVERY_MS);
  }

  #spawn(options: SpawnOptions): WorkerProcess {
    if (this.failSpawns > 0) {
      this.failSpawns--;
      throw Object.assign(new Error("spawn EMFILE: too many open files"), { code: "EMFILE" });
    }
    const release = this.disk.get(options.launch.group.name) ?? "good";
    const pid = this.#nextPid++;
    const proc = new SimProcess(pid, release, options, this.clock, mix(this.seed, pid));
    this.procs.push(proc);
    return proc;
  }

  get live(): SimProcess[] {
    return this.procs.filter((p) => p.alive);
  }

  get groupNames(): string[] {
    return this.supervisor.config.workers.map((g) => g.name);
  }

  /** The first start, with good code: false when it failed (the start's own tests cover that). */
  async start(): Promise<boolean> {
    let failed = false;
    const start = this.supervisor.start().catch(() => (failed = true));
    await this.clock.until(() => this.procs.every((p) => p.state === "ready"), 30_000);
    await start;
    return !failed;
  }

  async apply(op: Op): Promise<void> {
    try {
      this.#apply(op);
    } catch (err) {
      if (!(err instanceof AppError && REFUSALS.has(err.code))) this.unexpected.push(`${op.k} threw: ${(err as Error).stack ?? err}`);
    }
    if (op.k === "advance") await this.clock.advance(op.ms);
    else await settle();
  }

  #apply(op: Op): void {
    const sup = this.supervisor;
    const live = this.live;
    const pick = <T>(items: T[], at: number) => items[Math.floor(at * items.length)];
    switch (op.k) {
      case "advance":
        return;
      case "reload":
        return this.#reload(op);
      case "crash":
        return void pick(live, op.target)?.exit(op.signal ? null : 1, op.signal ? "SIGKILL" : null);
      case "restart": {
        const proc = pick(live, op.target);
        if (proc) sup.restartProcess(proc.pid);
        return;
      }
      case "retry":
        return void sup.retry(pick(this.groupNames, op.scope)!);
      case "memory": {
        // /proc says it is past its group's limit from now on (the supervisor reads that once a second); it also reports so.
        const proc = pick(live, op.target);
        const limitMB = sup.config.workers.find((g) => g.name === proc?.group)?.maxMemoryMB ?? 512;
        if (proc) proc.rssBytes = (limitMB + 1) * 1024 * 1024;
        return void proc?.sendStats((limitMB + 1) * 1024 * 1024);
      }
      case "stop": {
        const track = this.stop ?? (this.stop = { at: this.clock.now(), graceful: op.graceful, done: false, lastPidBefore: this.#nextPid - 1 });
        void sup.stop(op.graceful).then(() => (track.done = true));
        return;
      }
      case "spawn-fails":
        this.failSpawns += op.n;
        return;
    }
  }

  /** Puts the release on disk for the groups in scope (every group when scope < 0.5), then reloads them, with a config change if asked. */
  #reload(op: Extract<Op, { k: "reload" }>): void {
    const sup = this.supervisor;
    const config = sup.config;
    const names = this.groupNames;
    const scoped = op.scope < 0.5 ? undefined : names[Math.floor((op.scope - 0.5) * 2 * names.length)];
    for (const name of scoped ? [scoped] : [...names, ...this.extraGroups.map((g) => g.name)]) this.disk.set(name, op.release);
    const next = this.#nextConfig(config, op, scoped ?? names[Math.floor(op.scope * names.length)]!);
    const options = { group: scoped, graceful: op.graceful };
    let handle: ReturnType<Supervisor["reload"]>;
    if (next) {
      const { plans, needsRestart } = planReload(config, next, scoped);
      handle = sup.reload({ ...options, plans, config: next, needsRestart });
    } else {
      handle = sup.reload(options);
    }
    const tracked: TrackedReload = { record: handle.record, settled: false };
    this.reloads.push(tracked);
    handle.done.then(
      () => (tracked.settled = true),
      (err) => {
        tracked.settled = true;
        tracked.error = err;
      },
    );
  }

  #nextConfig(config: AppConfig, op: Extract<Op, { k: "reload" }>, target: string): AppConfig | undefined {
    const workers = config.workers;
    if (op.change === "count") return { ...config, workers: workers.map((g) => (g.name === target ? { ...g, count: op.count } : g)) };
    if (op.change === "remove" && workers.length > 1) return { ...config, workers: workers.filter((g) => g.name !== target) };
    const extra = this.extraGroups.find((g) => !workers.some((w) => w.name === g.name));
    if (op.change === "add" && extra) return { ...config, workers: [...workers, extra] };
    return undefined;
  }
}

// A worker process for the simulation that behaves like the release on disk when it was spawned, on the simulation's clock.
import type { ListenAddress } from "../../src/config/types.ts";
import type { MasterToWorker, ProcessCounters } from "../../src/ipc.ts";
import type { ExitInfo, FatalInfo, ProcessState, Reply, SpawnOptions, WorkerProcess, WorkerRequest } from "../../src/master/worker-process.ts";
import type { SimClock } from "./sim-clock.ts";
import { Random } from "./sim-random.ts";

/**
 * What the handler on disk does. good: ready and stays up; syntax: a load error before ready; throws: exits 1 at start;
 * exits-later: ready, then exits 0.3-5 s later (inside or past the settle window); never-ready: hangs loading and ignores
 * stop; hangs-on-stop: serves, but a stop never finishes (a connection that never ends); blocks: ready, then its event loop
 * blocks (no stats, no health answer, no stop) until SIGKILL; unhealthy: ready, onHealthCheck says false.
 */
export const RELEASES = ["good", "syntax", "throws", "exits-later", "never-ready", "hangs-on-stop", "blocks", "unhealthy"] as const;
export type Release = (typeof RELEASES)[number];

const LISTEN: ListenAddress = { scheme: "http", host: "127.0.0.1", port: 1, url: "http://127.0.0.1:1" };
export const NORMAL_RSS = 40 * 1024 * 1024;
export const STATS_EVERY_MS = 1000;

export interface StopAsk {
  at: number;
  graceful: boolean;
  deadlineMs: number;
}

export class SimProcess implements WorkerProcess {
  readonly group: string;
  readonly index: number;
  readonly generation: number;
  readonly startedAt: number;
  state: ProcessState = "starting";
  listen?: ListenAddress;
  counters: ProcessCounters | null = null;
  cpuPercent = 0;
  /** What /proc says of its resident memory (the supervisor's watch reads it once a second). */
  rssBytes = NORMAL_RSS;
  /** When the master last heard from it (on the simulation's clock); the watchdog judges by it. */
  lastHeardAt?: number;
  qps = 0;
  fatal?: FatalInfo;
  readonly stderrTail: string[] = [];
  readonly stopAsks: StopAsk[] = [];
  exitedAt?: number;
  blocked = false;
  /** Told to park (probation) and not to unpark since: its listener is closed, its code loaded. */
  parked = false;
  /** When a rollback last told it to listen again. */
  unparkedAt?: number;
  /** When the event loop blocked (blocks), or when it was spawned (never-ready): since then it does nothing. */
  hungSince?: number;
  readonly #ready = Promise.withResolvers<ListenAddress>();
  readonly #exited = Promise.withResolvers<ExitInfo>();
  #exitTimer: unknown;
  #exitAt = Infinity;
  readonly #random: Random;
  #waiting = false;
  /** When a deferred spawn got its launch. */
  launchedAt?: number;

  constructor(
    readonly pid: number,
    readonly release: Release,
    readonly options: SpawnOptions,
    private readonly clock: SimClock,
    seed: number,
  ) {
    this.group = options.launch.group.name;
    this.index = options.launch.index;
    this.generation = options.launch.generation;
    this.startedAt = clock.now();
    this.#random = new Random(seed);
    this.#ready.promise.catch(() => {});
    // Spawned ahead of its restart: it boots, then does nothing until launch() (or a stop, which it obeys at once).
    if (options.deferLaunch) this.#waiting = true;
    else this.#begin();
  }

  /** The launch config arrives: from here it behaves as its release does. */
  launch(): void {
    if (!this.#waiting || !this.alive) return;
    this.#waiting = false;
    this.launchedAt = this.clock.now();
    this.#begin();
  }

  /** Spawned with deferLaunch and not launched yet. */
  get waiting(): boolean {
    return this.#waiting;
  }

  get ready(): Promise<ListenAddress> {
    return this.#ready.promise;
  }

  get exited(): Promise<ExitInfo> {
    return this.#exited.promise;
  }

  /** By its own exit, not `state`: the supervisor writes `state` too (probation marks parked processes draining). */
  get alive(): boolean {
    return this.exitedAt === undefined;
  }

  /** Hung: a stop is ignored until SIGKILL. */
  get hung(): boolean {
    return this.blocked || this.release === "never-ready" || this.release === "hangs-on-stop";
  }

  #begin(): void {
    const r = this.#random;
    const after = (ms: number, fn: () => void) => this.clock.setTimeout(() => this.alive && fn(), ms);
    switch (this.release) {
      case "syntax":
        return void after(r.int(20, 200), () => {
          const position = { file: `/app/${this.group}.ts`, line: 3, column: 9, lineText: "  fetch( {" };
          this.exit(1, null, { code: "E_HANDLER", message: "E_HANDLER: syntax", detail: 'Expected ")"', position });
        });
      case "throws":
        return void after(r.int(20, 300), () => {
          this.stderrTail.push("Error: no database");
          this.exit(1, null);
        });
      case "never-ready":
        this.hungSince = this.startedAt;
        return;
      default:
        after(r.int(20, 400), () => this.#becomeReady());
    }
  }

  #becomeReady(): void {
    this.#heard();
    this.state = "ready";
    this.listen = LISTEN;
    this.#ready.resolve(LISTEN);
    const r = this.#random;
    if (this.release === "exits-later") this.clock.setTimeout(() => this.exit(5), r.int(300, 5000));
    if (this.release === "blocks") this.clock.setTimeout(() => this.#block(), r.int(0, 3000));
  }

  #block(): void {
    if (!this.alive) return;
    this.blocked = true;
    this.hungSince = this.clock.now();
  }

  /** The once-a-second stats every working worker sends once it started (the world's heartbeat calls it for all, one timer). */
  tick(): void {
    if (this.listen !== undefined) this.sendStats(NORMAL_RSS);
  }

  sendStats(rssBytes: number): void {
    if (!this.alive || this.blocked) return;
    const counters = {
      connections: 0,
      requests: 0,
      sendFail: 0,
      handlerErrors: 0,
      protocolErrors: 0,
      idleClosed: 0,
      bytesRead: 0,
      bytesWritten: 0,
      timers: 0,
      rssBytes,
      cpuMicros: 0,
    };
    this.counters = counters;
    this.#heard();
    this.options.onMessage({ type: "stats", counters }, this);
  }

  #heard(): void {
    this.lastHeardAt = this.clock.now();
  }

  /** Exits now: on its own (crash, load error) or killed. */
  exit(code: number | null, signal: string | null = null, fatal?: FatalInfo): void {
    if (!this.alive) return;
    this.clock.clearTimeout(this.#exitTimer);
    this.fatal = fatal;
    this.state = "exited";
    this.exitedAt = this.clock.now();
    this.#ready.reject(new Error("exited"));
    this.#exited.resolve({ code, signal });
  }

  send(message: MasterToWorker): boolean {
    if (!this.alive) return false;
    if (message.type === "park") this.#park(message.graceful);
    if (message.type === "unpark") this.#unpark();
    return true;
  }

  /** Closes the listener and drains (answered "parked"); a hung process never answers. */
  #park(graceful: boolean): void {
    this.parked = true;
    if (this.hung) return;
    const answer = () => {
      if (!this.alive || !this.parked) return;
      this.#heard();
      this.state = "parked";
    };
    this.clock.setTimeout(answer, this.#random.int(0, graceful ? 3000 : 400));
  }

  /** Listens again and says ready (a blocked one cannot: its loop is stuck). */
  #unpark(): void {
    this.parked = false;
    this.unparkedAt = this.clock.now();
    if (this.blocked || this.release === "never-ready") return;
    const answer = () => {
      if (!this.alive || this.parked) return;
      this.#heard();
      this.state = "ready";
    };
    this.clock.setTimeout(answer, this.#random.int(5, 100));
  }

  async request(message: WorkerRequest, timeoutMs = 3000): Promise<Reply> {
    const reply = (ok: boolean, data?: unknown, error?: string): Reply => ({ type: "reply", requestId: 0, ok, data, error });
    if (!this.alive) return reply(false, undefined, "process not running");
    if (message.type !== "health-check") return reply(false, undefined, "not simulated");
    if (this.blocked) {
      const { promise, resolve } = Promise.withResolvers<Reply>();
      this.clock.setTimeout(() => resolve(reply(false, undefined, "no answer in time")), timeoutMs);
      return promise;
    }
    this.#heard();
    return this.release === "unhealthy" ? reply(true, false, "onHealthCheck returned false") : reply(true, true);
  }

  /** Drains then exits after a while, or never when hung; SIGKILL at a finite deadline, as ChildWorkerProcess does. */
  stop(graceful: boolean, _reason: "stop" | "reload", deadlineMs: number): Promise<ExitInfo> {
    const now = this.clock.now();
    this.stopAsks.push({ at: now, graceful, deadlineMs });
    if (!this.alive) return this.exited;
    this.state = "draining";
    // Not launched: nothing to drain, it exits 0 (src/worker/launch-inbox.ts).
    if (this.#waiting) {
      this.#exitBy(now + this.#random.int(0, 5), 0, null);
      return this.exited;
    }
    // A parked process has nothing left to drain: it exits at once.
    const drainMs = this.parked ? this.#random.int(0, 50) : graceful ? this.#random.int(0, 8000) : this.#random.int(0, 500);
    if (!this.hung) this.#exitBy(now + drainMs, 0, null);
    if (Number.isFinite(deadlineMs)) this.clock.setTimeout(() => this.exit(null, "SIGKILL"), deadlineMs);
    return this.exited;
  }

  #exitBy(at: number, code: number | null, signal: string | null): void {
    if (at >= this.#exitAt) return;
    this.clock.clearTimeout(this.#exitTimer);
    this.#exitAt = at;
    this.#exitTimer = this.clock.setTimeout(() => this.exit(code, signal), at - this.clock.now());
  }
}

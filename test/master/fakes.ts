// Test doubles for the supervisor's seams: a clock moved by hand and worker processes that do what the test says.
import type { ListenAddress } from "../../src/config/types.ts";
import type { MasterToWorker } from "../../src/ipc.ts";
import type { Clock } from "../../src/master/clock.ts";
import type { ExitInfo, FatalInfo, ProcessState, Reply, SpawnOptions, Spawner, WorkerProcess, WorkerRequest } from "../../src/master/worker-process.ts";

/** Lets every pending promise callback run (the supervisor's reactions to a fake event). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  time = 1_000_000;
  #timers: { at: number; fn: () => void; id: number }[] = [];
  #nextId = 1;

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.push({ at: this.time + ms, fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Moves time forward, firing due timers in order and letting their consequences run. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
      await settle();
    }
    this.time = target;
    await settle();
  }
}

let nextPid = 50_000;
const LISTEN: ListenAddress = { scheme: "http", host: "127.0.0.1", port: 1, url: "http://127.0.0.1:1" };

export class FakeProcess implements WorkerProcess {
  readonly pid = nextPid++;
  readonly group: string;
  readonly index: number;
  readonly generation: number;
  readonly startedAt: number;
  state: ProcessState = "starting";
  listen?: ListenAddress;
  counters = null;
  cpuPercent = 0;
  /** What /proc would say; the test sets it (the supervisor's watch reads it once a second). */
  rssBytes?: number;
  qps = 0;
  fatal?: FatalInfo;
  readonly stderrTail: string[] = [];
  stoppedWith?: { graceful: boolean; reason: string; deadlineMs: number };
  /** Every message the supervisor sent it (park and unpark are answered at once, as a worker with nothing to drain). */
  readonly sent: MasterToWorker[] = [];
  /** What onHealthCheck answers. */
  health: { ok: boolean; error?: string } = { ok: true };
  /** Set by hang(): from then on the process sends nothing and handles no stop message. */
  hungAt?: number;
  readonly #ready = Promise.withResolvers<ListenAddress>();
  readonly #exited = Promise.withResolvers<ExitInfo>();
  readonly #clock: Clock;

  constructor(
    readonly options: SpawnOptions,
    clock: Clock,
  ) {
    this.#clock = clock;
    this.group = options.launch.group.name;
    this.index = options.launch.index;
    this.generation = options.launch.generation;
    this.startedAt = clock.now();
    this.#ready.promise.catch(() => {});
  }

  get ready(): Promise<ListenAddress> {
    return this.#ready.promise;
  }

  get exited(): Promise<ExitInfo> {
    return this.#exited.promise;
  }

  /** A live process reports every second, so it was heard just now, unless it hung. */
  get lastHeardAt(): number {
    return this.hungAt ?? this.#clock.now();
  }

  /** Blocks its event loop (`while (true) {}`): silent, and a stop only ends it by the SIGKILL at its deadline. */
  hang(): void {
    this.hungAt = this.#clock.now();
  }

  becomeReady(): void {
    this.state = "ready";
    this.listen = LISTEN;
    this.#ready.resolve(LISTEN);
  }

  /** Exits on its own: a crash, or a load error when `fatal` is given (as the worker reports one before exiting). */
  exit(code: number | null, signal: string | null = null, extra: { fatal?: FatalInfo; stderr?: string[] } = {}): void {
    if (this.state === "exited") return;
    this.fatal = extra.fatal;
    this.stderrTail.push(...(extra.stderr ?? []));
    this.state = "exited";
    this.#ready.reject(new Error("exited"));
    this.#exited.resolve({ code, signal });
  }

  send(message: MasterToWorker): boolean {
    if (this.state === "exited") return false;
    this.sent.push(message);
    if (message.type === "park") queueMicrotask(() => this.state !== "exited" && (this.state = "parked"));
    if (message.type === "unpark") this.state = "ready";
    return true;
  }

  async request(message: WorkerRequest): Promise<Reply> {
    if (message.type !== "health-check") return { type: "reply", requestId: 0, ok: false, error: "not faked" };
    return { type: "reply", requestId: 0, ok: true, data: this.health.ok, error: this.health.error };
  }

  stop(graceful: boolean, reason: "stop" | "reload", deadlineMs = Infinity): Promise<ExitInfo> {
    this.stoppedWith = { graceful, reason, deadlineMs };
    if (this.state !== "exited") this.state = "draining";
    if (this.hungAt === undefined) queueMicrotask(() => this.exit(0));
    else if (Number.isFinite(deadlineMs)) this.#clock.setTimeout(() => this.exit(null, "SIGKILL"), deadlineMs);
    return this.exited;
  }
}

/** A spawner that records every process it made, so the test can drive them. */
export interface FakeSpawner {
  spawner: Spawner;
  spawned: FakeProcess[];
  of: (group: string, generation?: number) => FakeProcess[];
  /** While set, every spawn (after the next `afterSpawns`) throws this, as Bun.spawn does for EMFILE or E2BIG; null: spawns work again. */
  failWith: (err: Error | null, afterSpawns?: number) => void;
}

/** An error shaped like the one Bun.spawn throws, e.g. spawnError("EMFILE", "too many open files"). */
export function spawnError(code: string, text: string): Error {
  return Object.assign(new Error(`${code}: ${text}, posix_spawn`), { code, syscall: "posix_spawn" });
}

export function fakeSpawner(clock: Clock): FakeSpawner {
  const spawned: FakeProcess[] = [];
  let failure: Error | null = null;
  let spawnsLeft = 0;
  return {
    spawned,
    failWith: (err, afterSpawns = 0) => {
      failure = err;
      spawnsLeft = afterSpawns;
    },
    spawner: (options) => {
      if (failure && spawnsLeft-- <= 0) throw failure;
      const proc = new FakeProcess(options, clock);
      spawned.push(proc);
      return proc;
    },
    of: (group, generation) => spawned.filter((p) => p.group === group && (generation === undefined || p.generation === generation)),
  };
}

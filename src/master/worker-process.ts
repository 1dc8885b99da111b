// One worker child process as the master sees it: spawn, IPC, prefixed output, state, queries, stop.
import type { Subprocess } from "bun";
import type { ListenAddress } from "../config/types.ts";
import { assertNever } from "../assert-never.ts";
import {
  PENDING_LAUNCH_ENV,
  WORKER_ARG,
  WORKER_LAUNCH_ENV,
  type MasterToWorker,
  type ProcessCounters,
  type WorkerLaunch,
  type WorkerToMaster,
} from "../ipc.ts";
import { workerTitle } from "../process-title.ts";
import { selfCommand } from "../self-command.ts";
import { canTakeEarly, claimEarlyWorker, type EarlyWorker } from "./early-worker.ts";
import { forEachLine } from "./line-splitter.ts";
import { cpuPercentBetween, readProcUsage } from "./proc-reading.ts";
import { MAX_WORKER_LINE_CHARS, OutputBudget } from "./output-budget.ts";
import { WorkerOutbox } from "./worker-outbox.ts";

/** unresponsive: ready, then silent past its group's watchdogSeconds; it is being killed and replaced. */
export type ProcessState = "starting" | "ready" | "draining" | "parked" | "exited" | "crashloop" | "unresponsive";

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

/** What a worker reported before it exited because it could not start (the `fatal` message, as kept). */
export type FatalInfo = Omit<Extract<WorkerToMaster, { type: "fatal" }>, "type">;

export interface SpawnOptions {
  launch: WorkerLaunch;
  /** unix:// groups: the listening socket the master bound, passed as fd 3. */
  listenFd?: number;
  output: (line: string, stream: "stdout" | "stderr", proc: WorkerProcess) => void;
  onMessage: (message: WorkerToMaster, proc: WorkerProcess) => void;
  /** Spawned ahead of need (a crashed slot's next process, while its backoff runs): the launch config goes over IPC at launch(). */
  deferLaunch?: boolean;
}

const STDERR_TAIL_LINES = 20;
const QUERY_TIMEOUT_MS = 3000;
const OUTPUT_GRACE_MS = 250;

export type Reply = Extract<WorkerToMaster, { type: "reply" }>;
type Request = Extract<MasterToWorker, { requestId: number }>;
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type WorkerRequest = DistributiveOmit<Request, "requestId">;

/** What the supervisor needs of a worker process: a real child (below) or a test double. */
export interface WorkerProcess {
  readonly pid: number;
  readonly group: string;
  readonly index: number;
  readonly generation: number;
  readonly startedAt: number;
  state: ProcessState;
  listen?: ListenAddress;
  counters: ProcessCounters | null;
  /** From /proc (sampleUsage), not from the worker: the figure holds for a worker that cannot report. */
  cpuPercent: number;
  /** Resident memory from /proc; undefined until read (or where /proc cannot tell). */
  rssBytes?: number;
  /** CPU time (user + system) from /proc, in microseconds; undefined until read. */
  cpuMicros?: number;
  /** When the master last heard anything from the process (its clock); undefined: not watched (a test double). */
  readonly lastHeardAt?: number;
  qps: number;
  fatal?: FatalInfo;
  readonly stderrTail: string[];
  readonly exited: Promise<ExitInfo>;
  /** Resolves with the bound address once the worker listens; rejects if it exits first. */
  readonly ready: Promise<ListenAddress>;
  send(message: MasterToWorker): boolean;
  request(message: WorkerRequest, timeoutMs?: number): Promise<Reply>;
  stop(graceful: boolean, reason: "stop" | "reload", deadlineMs: number): Promise<ExitInfo>;
  /** Reads CPU and memory from the OS (once a second, by the supervisor's watch). */
  sampleUsage?(): void;
  /** Spawned with deferLaunch: sends the launch config now (once). Absent: the process cannot wait for one. */
  launch?(): void;
}

/** Makes the process for one slot; the supervisor is given one, so its decisions can be tested without processes. */
export type Spawner = (options: SpawnOptions) => WorkerProcess;

/** The master's early worker (early-worker.ts) goes to the first spawn whose group can take it; the others start here and now. */
export const spawnChild: Spawner = (options) =>
  new ChildWorkerProcess(options, canTakeEarly(options.launch.group, options.listenFd) ? claimEarlyWorker() : null);

export class ChildWorkerProcess implements WorkerProcess {
  readonly group: string;
  readonly index: number;
  readonly generation: number;
  readonly startedAt: number;
  readonly child: Subprocess;
  state: ProcessState = "starting";
  listen?: ListenAddress;
  counters: ProcessCounters | null = null;
  cpuPercent = 0;
  rssBytes?: number;
  cpuMicros?: number;
  lastHeardAt?: number;
  /** Requests (or messages) per second over the last stats interval. */
  qps = 0;
  fatal?: FatalInfo;
  readonly stderrTail: string[] = [];
  readonly exited: Promise<ExitInfo>;
  #ready = Promise.withResolvers<ListenAddress>();
  /** Spawned with deferLaunch and not launched yet. */
  #deferred?: WorkerLaunch;
  #requests = new Map<number, (reply: Reply) => void>();
  #nextRequest = 1;
  #lastSample?: { requests: number; at: number };
  #lastUsage?: { cpuMicros: number; at: number };
  readonly #outbox = new WorkerOutbox(() => this.child, this);

  /** `early`: a process spawned before the config was read, which gets its launch over IPC instead of the environment. */
  constructor(options: SpawnOptions, early: EarlyWorker | null = null) {
    const { launch } = options;
    this.group = launch.group.name;
    this.index = launch.index;
    this.generation = launch.generation;
    this.#ready.promise.catch(() => {});
    this.startedAt = early?.spawnedAt ?? Date.now();
    if (early) {
      this.child = early.child;
      const env = early.adopt((message) => this.#receive(message, options));
      this.send({ type: "launch", launch, env });
    } else {
      this.child = this.#spawn(options);
      if (options.deferLaunch) this.#deferred = launch;
    }
    // A handler printing without end costs its own lines (cut, then counted past the budget), not the master's memory.
    const budget = new OutputBudget((summary) => options.output(summary, "stderr", this));
    const streams = (["stdout", "stderr"] as const).map((stream) => {
      const readable = this.child[stream] as ReadableStream<Uint8Array>;
      const onLine = (line: string) => {
        if (stream === "stderr") this.#keepTail(line);
        if (budget.admit(line)) options.output(line, stream, this);
      };
      return forEachLine(readable, onLine, MAX_WORKER_LINE_CHARS).catch(() => {});
    });
    // The exit's reason quotes the last stderr lines: let them arrive first (bounded, in case a grandchild holds the pipe).
    const outputDone = Promise.race([Promise.all(streams).then(() => budget.flush()), Bun.sleep(OUTPUT_GRACE_MS)]);
    this.exited = this.child.exited
      .then(() => outputDone)
      .then(() => {
        this.state = "exited";
        this.#ready.reject(new Error(this.fatal?.message ?? `worker exited with code ${this.child.exitCode}`));
        for (const resolve of this.#requests.values()) resolve({ type: "reply", requestId: 0, ok: false, error: "process exited" });
        this.#requests.clear();
        return { code: this.child.exitCode, signal: this.child.signalCode === null ? null : String(this.child.signalCode) };
      });
  }

  #spawn(options: SpawnOptions): Subprocess {
    const { launch } = options;
    const extraFds = options.listenFd === undefined ? [] : [options.listenFd];
    // A deferred launch: the group's environment and descriptor now, the launch config at launch().
    const launchEnv = { [options.deferLaunch ? PENDING_LAUNCH_ENV : WORKER_LAUNCH_ENV]: JSON.stringify(launch) };
    return Bun.spawn([...selfCommand(), WORKER_ARG], {
      // Room for the title the worker writes over its arguments (see process-title.ts).
      argv0: workerTitle(this.group, this.index, this.generation),
      env: { ...process.env, ...launch.group.env, ...launchEnv },
      stdio: ["ignore", "pipe", "pipe", ...extraFds],
      ipc: (message: WorkerToMaster) => this.#receive(message, options),
      serialization: "json",
    });
  }

  launch(): void {
    const launch = this.#deferred;
    this.#deferred = undefined;
    if (launch) this.send({ type: "launch", launch, env: {} });
  }

  get pid(): number {
    return this.child.pid;
  }

  get ready(): Promise<ListenAddress> {
    return this.#ready.promise;
  }

  #receive(message: WorkerToMaster, options: SpawnOptions): void {
    this.lastHeardAt = Date.now();
    switch (message.type) {
      case "ready":
        this.state = "ready";
        this.listen = message.listen;
        this.#ready.resolve(message.listen);
        break;
      case "stats":
        this.#updateRates(message.counters);
        this.#outbox.observeStats(message.counters);
        this.counters = message.counters;
        break;
      case "fatal":
        this.fatal = message;
        break;
      case "reply":
        this.#requests.get(message.requestId)?.(message);
        this.#requests.delete(message.requestId);
        break;
      case "parked":
        this.state = "parked";
        break;
      case "handler-error":
      case "channel":
      case "shared":
        break; // the supervisor's (options.onMessage below)
      default:
        assertNever(message);
    }
    options.onMessage(message, this);
  }

  #updateRates(counters: ProcessCounters): void {
    const at = performance.now();
    const last = this.#lastSample;
    if (last && at > last.at) this.qps = ((counters.requests - last.requests) * 1000) / (at - last.at);
    this.#lastSample = { requests: counters.requests, at };
  }

  sampleUsage(): void {
    if (this.state === "exited") return;
    const usage = readProcUsage(this.pid);
    if (!usage) return;
    const now = { cpuMicros: usage.cpuMicros, at: performance.now() };
    if (this.#lastUsage) this.cpuPercent = cpuPercentBetween(this.#lastUsage, now);
    this.#lastUsage = now;
    this.rssBytes = usage.rssBytes;
    this.cpuMicros = usage.cpuMicros;
  }

  #keepTail(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
  }

  send(message: MasterToWorker): boolean {
    if (this.state === "exited") return false;
    try {
      return this.#outbox.send(message);
    } catch {
      return false;
    }
  }

  /** Asks the worker something and waits for its answer (or a timeout). */
  request(message: WorkerRequest, timeoutMs = QUERY_TIMEOUT_MS): Promise<Reply> {
    const requestId = this.#nextRequest++;
    const { promise, resolve } = Promise.withResolvers<Reply>();
    this.#requests.set(requestId, resolve);
    if (!this.send({ ...message, requestId } as Request))
      resolve({ type: "reply", requestId, ok: false, error: this.#outbox.refusal ?? "process not running" });
    setTimeout(() => {
      if (this.#requests.delete(requestId)) resolve({ type: "reply", requestId, ok: false, error: "no answer in time" });
    }, timeoutMs).unref();
    return promise;
  }

  /** Asks the worker to drain and exit; SIGKILL if it is still there after `deadlineMs` (Infinity: never). */
  stop(graceful: boolean, reason: "stop" | "reload", deadlineMs: number): Promise<ExitInfo> {
    if (this.state !== "exited") this.state = "draining";
    if (!this.send({ type: "stop", graceful, reason })) this.child.kill("SIGKILL");
    if (Number.isFinite(deadlineMs)) {
      const timer = setTimeout(() => this.child.kill("SIGKILL"), deadlineMs);
      this.exited.finally(() => clearTimeout(timer));
    }
    return this.exited;
  }
}

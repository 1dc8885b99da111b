// A worker's inbox from the master: its launch config (from the environment, or for an early worker the master's "launch" message), then every other message once the runtime is there to take it.
import { AppError } from "../errors.ts";
import { LAUNCH_WAIT_ENV, WORKER_LAUNCH_ENV, type MasterToWorker, type WorkerLaunch } from "../ipc.ts";

/** As long as a master may take to read and check its config, claim its data directory and check its ports. */
const DEFAULT_WAIT_MS = 30_000;
const SCHEMES = new Set(["http", "websocket", "tcp", "text", "frame", "udp", "unix"]);

export class LaunchInbox {
  #deliver: ((message: MasterToWorker) => void) | null = null;
  /** Messages that came before the runtime could take them (a stop while the handler loads), in order. */
  readonly #queued: MasterToWorker[] = [];
  readonly #launch = Promise.withResolvers<WorkerLaunch | null>();

  /** Listens from the start: Bun keeps what the master sent before, and nothing after may be lost. */
  constructor() {
    this.#launch.promise.catch(() => {});
    process.on("message", (message: MasterToWorker) => this.#receive(message));
  }

  #receive(message: MasterToWorker): void {
    if (this.#deliver) return this.#deliver(message);
    if (message?.type === "launch") {
      try {
        const launch = checkedLaunch(message);
        Object.assign(process.env, message.env);
        this.#launch.resolve(launch);
      } catch (err) {
        this.#launch.reject(err);
      }
      return;
    }
    // A stop before the launch: the master no longer needs this process.
    if (message?.type === "stop") return this.#launch.resolve(null);
    this.#queued.push(message);
  }

  /** The launch config; null when the master said stop first. Throws when it never comes (bounded) or is malformed. */
  async launch(): Promise<WorkerLaunch | null> {
    const fromEnv = process.env[WORKER_LAUNCH_ENV];
    if (fromEnv) return JSON.parse(fromEnv) as WorkerLaunch;
    const waitMs = Number(process.env[LAUNCH_WAIT_ENV]) || DEFAULT_WAIT_MS;
    const timer = setTimeout(() => {
      const text = `no launch config from the master within ${waitMs} ms: this worker was started ahead of its config by \`workerman-app start\`, whose master never sent it; exiting`;
      this.#launch.reject(new AppError("E_UNAVAILABLE", text));
    }, waitMs);
    try {
      return await this.#launch.promise;
    } finally {
      clearTimeout(timer);
    }
  }

  /** From now on every message goes to `deliver`, the ones that waited first. */
  open(deliver: (message: MasterToWorker) => void): void {
    this.#deliver = deliver;
    for (const message of this.#queued.splice(0)) deliver(message);
  }
}

/** The shape a launch needs before anything is built on it: a master of another build could send something else. */
function checkedLaunch(message: Extract<MasterToWorker, { type: "launch" }>): WorkerLaunch {
  const { launch, env } = message;
  const wrong = (what: string) =>
    new AppError("E_INTERNAL", `malformed launch message from the master (${what}): is the master the same build as this worker?`);
  if (typeof launch !== "object" || launch === null) throw wrong("no launch object");
  const group = launch.group as Partial<WorkerLaunch["group"]> | undefined;
  if (typeof group !== "object" || group === null || typeof group.name !== "string") throw wrong("no group name");
  if (typeof group.handler !== "string") throw wrong("no handler path");
  if (!SCHEMES.has(String(group.listen?.scheme))) throw wrong("no known listen scheme");
  for (const key of ["index", "generation", "stopTimeoutMs", "drainWindowMs"] as const) {
    if (!(Number.isFinite(launch[key]) && launch[key] >= 0)) throw wrong(`${key} is not a number of 0 or more`);
  }
  if (typeof launch.appName !== "string") throw wrong("no app name");
  if (typeof env !== "object" || env === null || Object.values(env).some((value) => typeof value !== "string")) throw wrong("env is not a map of strings");
  return launch;
}

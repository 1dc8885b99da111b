// The worker process a master spawns as its first act, before it reads its config, so that the two runtimes boot side by side; the supervisor's first spawn that can use it takes it, and a start that fails kills it.
import type { Subprocess } from "bun";
import type { WorkerGroupConfig } from "../config/types.ts";
import { WORKER_ARG, type WorkerToMaster } from "../ipc.ts";
import { selfCommand } from "../self-command.ts";

/** Until it is launched: as wide as the worker titles written over it later (process-title.ts cuts to this space). */
const WAITING_TITLE = "workerman-app: worker waiting for its launch config".padEnd(96, " ");

export class EarlyWorker {
  readonly child: Subprocess;
  readonly spawnedAt = Date.now();
  /** The environment it was spawned with: its launch message carries what the master set since (the channel's instance id). */
  readonly #spawnEnv = { ...process.env };
  #receive: ((message: WorkerToMaster) => void) | null = null;
  readonly #before: WorkerToMaster[] = [];

  constructor() {
    this.child = Bun.spawn([...selfCommand(), WORKER_ARG], {
      argv0: WAITING_TITLE,
      env: this.#spawnEnv,
      stdio: ["ignore", "pipe", "pipe"],
      ipc: (message: WorkerToMaster) => (this.#receive ? this.#receive(message) : this.#before.push(message)),
      serialization: "json",
    });
  }

  /** Messages go to `receive` from now on (any that came before, first); the environment set since the spawn is returned. */
  adopt(receive: (message: WorkerToMaster) => void): Record<string, string> {
    this.#receive = receive;
    for (const message of this.#before.splice(0)) receive(message);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && this.#spawnEnv[key] !== value) env[key] = value;
    return env;
  }
}

let held: EarlyWorker | null = null;

/** The master's first act (src/cli.ts); a spawn the OS refuses now is tried again, and reported, at the ordinary spawn. */
export function spawnEarlyWorker(): void {
  try {
    held = new EarlyWorker();
  } catch {
    held = null;
  }
}

/**
 * Whether `group` can take the early worker: it was spawned with the master's environment and no descriptors, so a
 * group with its own `env` (which the runtime may read as it boots) or a unix:// socket (passed as fd 3) cannot.
 */
export function canTakeEarly(group: WorkerGroupConfig, listenFd: number | undefined): boolean {
  return listenFd === undefined && group.listen.scheme !== "unix" && Object.keys(group.env).length === 0;
}

/** The early worker, once: the caller owns it from now on. */
export function claimEarlyWorker(): EarlyWorker | null {
  const worker = held;
  held = null;
  return worker;
}

/** Kills the early worker if nothing claimed it (a start that failed, or no group could take it) and waits for its exit. */
export async function discardEarlyWorker(): Promise<void> {
  const worker = claimEarlyWorker();
  if (!worker) return;
  worker.child.kill("SIGKILL");
  await worker.child.exited;
}

// A worker's listener from its first bind to exit: serving, parked for a reload's probation (closed, code kept), serving again, stopped.
import type { WorkerLaunch, WorkerToMaster } from "../ipc.ts";
import type { Listener } from "./listener.ts";
import type { WorkerRuntime } from "./runtime.ts";

type Phase = "starting" | "serving" | "parked" | "stopped";

export class ListenerLifecycle {
  #listener: Listener | undefined;
  #phase: Phase = "starting";
  #stopAsked = false;
  /** Transitions run one after another: a stop or an unpark that arrives during a park's drain waits for it to end. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly runtime: WorkerRuntime,
    private readonly launch: WorkerLaunch,
    private readonly toMaster: (message: WorkerToMaster) => void,
    /** An unpark could not listen again: the worker reports why and exits (the master then drops it). */
    private readonly failed: (err: unknown) => void,
  ) {}

  /** True once the master asked this process to stop (a start still under way gives up). */
  get stopAsked(): boolean {
    return this.#stopAsked;
  }

  serving(listener: Listener): void {
    this.#listener = listener;
    if (this.#phase === "starting") this.#phase = "serving";
  }

  /**
   * Closes the listener and drains its connections as a reload's stop does (onWorkerReload, then onWorkerStop, timers
   * deleted), but the process stays: for the handler a park is a stop, and an unpark a new start in the same process.
   */
  park(graceful: boolean): Promise<void> {
    return this.#next(async () => {
      if (this.#phase !== "serving" || this.#stopAsked) return;
      await this.#drain(graceful, "reload", true);
      this.#phase = "parked";
      this.toMaster({ type: "parked" });
    });
  }

  /** Listens again on the same address (onWorkerStart runs again first) and reports ready. */
  unpark(): Promise<void> {
    return this.#next(async () => {
      if (this.#phase !== "parked" || this.#stopAsked) return;
      const { runtime } = this;
      runtime.resumeServing();
      try {
        const start = runtime.app.onWorkerStart;
        if (start) await start.call(runtime.app, runtime);
        runtime.listening(await this.#listener!.start());
      } catch (err) {
        this.#phase = "stopped";
        return this.failed(err);
      }
      this.#phase = "serving";
      this.toMaster({ type: "ready", listen: runtime.listen });
    });
  }

  /** Resolves once nothing is left to drain (at once when parked or not listening yet); null when a stop was already asked. */
  stop(graceful: boolean, reason: "stop" | "reload"): Promise<void> | null {
    if (this.#stopAsked) return null;
    this.#stopAsked = true;
    this.runtime.beginStopping();
    return this.#next(async () => {
      const serving = this.#phase === "serving";
      this.#phase = "stopped";
      if (serving) await this.#drain(graceful, reason, false);
    });
  }

  async #drain(graceful: boolean, reason: "stop" | "reload", park: boolean): Promise<void> {
    const { runtime, launch } = this;
    runtime.beginStopping();
    if (reason === "reload") runtime.call("onWorkerReload", null);
    const gracefulTimeoutMs = launch.gracefulTimeoutMs ?? Infinity;
    await this.#listener!.drain({ graceful, stopTimeoutMs: launch.stopTimeoutMs, gracefulTimeoutMs, drainWindowMs: launch.drainWindowMs, park });
    runtime.call("onWorkerStop", null);
    runtime.timers.delAll();
  }

  #next(step: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(step);
    this.#queue = run.catch(() => {});
    return run;
  }
}

// Once a second: every live worker's CPU and memory from /proc, and the watchdog over ready workers that went silent.
import type { FailureReason } from "./records.ts";
import type { WorkerGroupConfig } from "../config/types.ts";
import type { Clock } from "./clock.ts";
import type { SupervisorEvent } from "./events.ts";
import type { WorkerProcess } from "./worker-process.ts";

export const WATCH_INTERVAL_MS = 1000;
/** A tick this late means the master itself was stalled (suspended, swapping): nobody was heard meanwhile, so skip judging once. */
const STALLED_TICK_MS = 3 * WATCH_INTERVAL_MS;

export interface WatchHost {
  clock: Clock;
  processes: () => Iterable<WorkerProcess>;
  /**
   * The group whose watchdogSeconds applies to `proc`: any process that was ready once and is not being stopped
   * (serving, gating, parked, given back by a rollback); undefined for the others (a stop has its own deadline).
   */
  watchedGroup: (proc: WorkerProcess) => WorkerGroupConfig | undefined;
  /** Fresh figures were read for `proc` (the memory limit is checked against them). */
  sampled: (proc: WorkerProcess) => void;
  emit: (event: SupervisorEvent) => void;
}

export class ProcessWatch {
  #timer: unknown;
  #lastTick?: number;
  /** Processes the watchdog killed, with the reason their exit is recorded under. */
  readonly #killed = new WeakMap<WorkerProcess, FailureReason>();

  constructor(private readonly host: WatchHost) {}

  start(): void {
    if (this.#timer === undefined) this.#schedule();
  }

  stop(): void {
    this.host.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.host.clock.setTimeout(() => this.#tick(), WATCH_INTERVAL_MS);
  }

  #tick(): void {
    const now = this.host.clock.now();
    const stalled = this.#lastTick !== undefined && now - this.#lastTick > STALLED_TICK_MS;
    this.#lastTick = now;
    for (const proc of [...this.host.processes()]) {
      proc.sampleUsage?.();
      this.host.sampled(proc);
      if (!stalled) this.#judge(proc, now);
    }
    this.#schedule();
  }

  #judge(proc: WorkerProcess, now: number): void {
    const group = this.host.watchedGroup(proc);
    if (!group?.watchdogSeconds || proc.state === "exited" || proc.state === "unresponsive" || proc.lastHeardAt === undefined) return;
    const silentMs = now - proc.lastHeardAt;
    if (silentMs < group.watchdogSeconds * 1000 || this.#killed.has(proc)) return;
    this.kill(proc, unresponsiveReason(proc, silentMs, group.watchdogSeconds));
    proc.state = "unresponsive";
    const { pid, index, generation } = proc;
    this.host.emit({ type: "process-unresponsive", pid, group: proc.group, index, generation, silentMs, watchdogSeconds: group.watchdogSeconds });
  }

  /** Why `proc` exited, when the watchdog killed it. */
  killedReason(proc: WorkerProcess): FailureReason | undefined {
    return this.#killed.get(proc);
  }

  /** Killed now (SIGKILL: it cannot drain) but not asked to stop, so its exit is a crash (recorded with `reason`) and its slot restarts with backoff. */
  kill(proc: WorkerProcess, reason: FailureReason): void {
    if (this.#killed.has(proc)) return;
    this.#killed.set(proc, reason);
    void proc.stop(false, "stop", 0);
  }
}

/** Why an unresponsive process's slot restarted: said as what the watchdog saw, not as the SIGKILL it sent. */
function unresponsiveReason(proc: WorkerProcess, silentMs: number, limitSeconds: number): FailureReason {
  const message = `unresponsive: sent nothing for ${(silentMs / 1000).toFixed(1)} s (watchdogSeconds ${limitSeconds}), killed`;
  return { kind: "exit", text: message, message, pid: proc.pid, index: proc.index, code: null, signal: "SIGKILL", stderrTail: proc.stderrTail.slice(-10) };
}

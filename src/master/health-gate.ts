// The reload health gate: a new process counts as healthy once it is ready, stays up through the settle window and its onHealthCheck agrees.
import type { FailureReason } from "./records.ts";
import { delay, type Clock } from "./clock.ts";
import { exitReason, healthReason, timeoutReason } from "./failure-reason.ts";
import type { ExitInfo, WorkerProcess } from "./worker-process.ts";

export interface GateOptions {
  startTimeoutMs: number;
  /** The settle window; 0 passes as soon as the process is ready and its health check agrees. */
  healthyMs: number;
  clock: Clock;
  /** Anchors file names in reasons (app.json's folder). */
  baseDir: string;
  /** false: only "ready within startTimeout" (the first start, where there is no old generation to keep). */
  settle?: boolean;
  /** Why the watchdog killed `proc`, if it did: its exit is then reported as unresponsive, not as the SIGKILL it sent. */
  killedReason?: (proc: WorkerProcess) => FailureReason | undefined;
}

/** Why `proc` exited, as the gate reports it. */
function exitedReason(proc: WorkerProcess, exit: ExitInfo, options: GateOptions, readyAt?: number): FailureReason {
  return options.killedReason?.(proc) ?? exitReason(proc, exit, options.baseDir, readyAt, readyAt === undefined ? undefined : options.clock.now());
}

/** Waits until `proc` is ready; null when it is, else why not (exit, load error or timeout). */
export async function waitReady(proc: WorkerProcess, options: GateOptions): Promise<FailureReason | null> {
  const { clock } = options;
  const timeout = delay(clock, options.startTimeoutMs);
  const outcome = await Promise.race([
    proc.ready.then(
      () => "ready" as const,
      () => "exited" as const,
    ),
    timeout.promise.then(() => "timeout" as const),
  ]);
  timeout.cancel();
  if (outcome === "ready") return null;
  if (outcome === "timeout") return timeoutReason(proc, options.startTimeoutMs);
  return exitedReason(proc, await proc.exited, options);
}

/** Ready, then the settle window: the process must not exit, and onHealthCheck (asked as the window ends) must say true. */
export async function gateProcess(proc: WorkerProcess, options: GateOptions, onReady: (at: number) => void = () => {}): Promise<FailureReason | null> {
  const notReady = await waitReady(proc, options);
  if (notReady) return notReady;
  const { clock } = options;
  const readyAt = clock.now();
  onReady(readyAt);
  if (options.settle === false) return null;
  const exited = proc.exited.then((exit) => exitedReason(proc, exit, options, readyAt));
  const window = delay(clock, options.healthyMs);
  const settled = window.promise.then(async () => {
    const reply = await proc.request({ type: "health-check" }, options.startTimeoutMs);
    return reply.ok && reply.data === true ? null : healthReason(proc, reply.error);
  });
  const verdict = await Promise.race([exited, settled]);
  window.cancel();
  return verdict;
}

export interface GroupGateProgress {
  /** One new process is ready (its settle window began). */
  onReady?: (proc: WorkerProcess) => void;
  /** Every new process is ready: the window ends at `until`. */
  onSettling?: (until: number) => void;
}

/** Gates a group's new processes together: the first failure decides (fail fast); null when all passed. */
export function gateGroup(procs: WorkerProcess[], options: GateOptions, progress: GroupGateProgress = {}): Promise<FailureReason | null> {
  const { promise, resolve } = Promise.withResolvers<FailureReason | null>();
  if (procs.length === 0) resolve(null);
  let pending = procs.length;
  let ready = 0;
  let lastReadyAt = 0;
  for (const proc of procs) {
    let readyAt: number | undefined;
    const onReady = (at: number) => {
      readyAt = at;
      lastReadyAt = Math.max(lastReadyAt, at);
      progress.onReady?.(proc);
      if (++ready === procs.length) progress.onSettling?.(lastReadyAt + options.healthyMs);
    };
    gateProcess(proc, options, onReady).then(
      (reason) => {
        if (reason) return resolve(reason);
        // Passed its own window: an exit while the others still settle fails the group all the same (never commit a dead process).
        proc.exited.then((exit) => resolve(exitedReason(proc, exit, options, readyAt)));
        if (--pending === 0) resolve(null);
      },
      (err) => resolve(healthReason(proc, `health gate failed: ${(err as Error).message}`)),
    );
  }
  return promise;
}

/** The first non-null result, as soon as it is known; null once all are null (the start's fail-fast over groups). */
export function firstResult<T>(promises: Promise<T | null>[]): Promise<T | null> {
  const { promise, resolve } = Promise.withResolvers<T | null>();
  let left = promises.length;
  if (left === 0) resolve(null);
  for (const p of promises)
    p.then(
      (value) => (value ? resolve(value) : --left === 0 && resolve(null)),
      () => --left === 0 && resolve(null),
    );
  return promise;
}

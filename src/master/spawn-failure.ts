// A spawn that throws (EMFILE, E2BIG, ...) as a failure with its reason: the errno and what to do about it.
import type { FailureReason } from "./records.ts";

/** What an operator can do about each errno posix_spawn (or the pipes before it) reports. */
const ADVICE: Record<string, string> = {
  EMFILE: "the master has too many open files: raise its limit (ulimit -n, LimitNOFILE=) or lower connection counts",
  ENFILE: "the system is out of file descriptors (fs.file-max): close processes or raise the limit",
  E2BIG: "the environment is too large for the kernel: shrink the group's env (`workerman-app check` names the field)",
  EAGAIN: "the process limit is reached (ulimit -u, LimitNPROC=, pids.max): lower counts or raise the limit",
  ENOMEM: "out of memory: free memory or lower counts",
  ENOENT: "the executable is gone: reinstall it, then `workerman-app restart`",
  EACCES: "the executable is not runnable: check its permissions",
};

/** Thrown by the supervisor's spawn so that each caller (start, restart, reload, replacement) ends with the reason. */
export class SpawnFailed extends Error {
  constructor(readonly reason: FailureReason) {
    super(reason.text);
  }
}

export function spawnFailed(err: unknown, index: number): SpawnFailed {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  const errno = typeof code === "string" ? code : undefined;
  const what = typeof message === "string" && message ? message : String(err);
  const advice = errno ? ADVICE[errno] : undefined;
  const text = `could not start a process: ${what}${advice ? ` (${advice})` : ""}`;
  return new SpawnFailed({ kind: "spawn", text, message: what, index, ...(errno ? { errno } : {}) });
}

/** The reason of a SpawnFailed, or a spawn reason made from anything else thrown. */
export function spawnReasonOf(err: unknown, index: number): FailureReason {
  return err instanceof SpawnFailed ? err.reason : spawnFailed(err, index).reason;
}

// Starts one worker process for the supervisor: its launch settings and wiring, the started and ready events, and a spawn the OS refuses reported with its reason.
import type { FailureReason } from "./records.ts";
import type { AppConfig, WorkerGroupConfig } from "../config/types.ts";
import type { WorkerToMaster } from "../ipc.ts";
import type { SupervisorEvent } from "./events.ts";
import type { SpawnPurpose } from "./process-table.ts";
import { spawnFailed, spawnReasonOf } from "./spawn-failure.ts";
import type { SupervisorOptions } from "./supervisor-options.ts";
import type { ExitInfo, Spawner, WorkerProcess } from "./worker-process.ts";

export interface LaunchHost {
  options: SupervisorOptions;
  spawner: Spawner;
  /** The running config: its stop timings go to each new process. */
  config(): AppConfig;
  emit(event: SupervisorEvent): void;
  started(proc: WorkerProcess, purpose: SpawnPurpose): void;
  ready(proc: WorkerProcess): void;
  message(message: WorkerToMaster, proc: WorkerProcess): void;
  exited(proc: WorkerProcess, exit: ExitInfo): void;
}

export class ProcessLauncher {
  constructor(private readonly host: LaunchHost) {}

  /** Throws SpawnFailed (with the errno and what to do) when the OS refuses. */
  spawn(group: WorkerGroupConfig, index: number, generation: number, purpose: SpawnPurpose, deferLaunch = false): WorkerProcess {
    const { host } = this;
    const { config, listenFds, log } = host.options;
    const { stopTimeout, gracefulTimeout, drainWindowMs } = host.config();
    let proc: WorkerProcess;
    try {
      proc = host.spawner({
        launch: { appName: config.name, group, index, generation, stopTimeoutMs: stopTimeout * 1000, gracefulTimeoutMs: gracefulTimeout * 1000, drainWindowMs },
        listenFd: listenFds.get(group.name),
        output: (line, stream, p) => log(`[${p.group}#${p.index} ${p.pid}] ${line}`, stream),
        onMessage: (message, p) => host.message(message, p),
        deferLaunch,
      });
    } catch (err) {
      throw spawnFailed(err, index);
    }
    host.started(proc, purpose);
    const identity = { pid: proc.pid, group: proc.group, index: proc.index, generation };
    host.emit({ type: "process-started", ...identity });
    proc.ready.then(
      () => {
        host.ready(proc);
        host.emit({ type: "process-ready", ...identity });
      },
      () => {},
    );
    proc.exited.then((exit) => host.exited(proc, exit));
    return proc;
  }

  /** spawn, with a refusal by the OS reported as an event before it is thrown on. */
  spawnReporting(group: WorkerGroupConfig, index: number, generation: number, purpose: SpawnPurpose): WorkerProcess {
    try {
      return this.spawn(group, index, generation, purpose);
    } catch (err) {
      this.refused(err, group, index, generation);
      throw err;
    }
  }

  /** Records a spawn the OS refused (the event says when the slot tries again, if it does) and returns why. */
  refused(err: unknown, group: WorkerGroupConfig, index: number, generation: number, retryInMs?: number): FailureReason {
    const reason = spawnReasonOf(err, index);
    this.host.emit({
      type: "spawn-failed",
      group: group.name,
      index,
      generation,
      message: reason.text,
      reason,
      ...(retryInMs === undefined ? {} : { retryInMs }),
    });
    return reason;
  }
}

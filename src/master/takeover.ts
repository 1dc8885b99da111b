// `restart` as a master-to-master handoff: the new master learns the old one's ports, serves beside it, then takes its place.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError, isAppError } from "../errors.ts";
import type { RunningConfigResponse } from "./status-records.ts";
import type { AppConfig } from "../config/types.ts";
import { realClock } from "./clock.ts";
import { gateGroup, type GateOptions } from "./health-gate.ts";
import { StartFailure } from "./failure-reason.ts";
import { refuseBusyPorts } from "./port-check.ts";
import type { TakeoverSupervisor } from "./supervisor-interface.ts";
import { isAlive, readRuntimeInfo } from "./runtime-file.ts";

/** Set by `restart -d` on the new master it spawns: the pid of the master to replace. */
export const TAKEOVER_ENV = "WORKERMAN_TAKEOVER";

export interface Predecessor {
  pid: number;
  adminUrl: string;
  /** The old master's running config: its `:0` ports are already resolved. */
  config: AppConfig;
  /** The old master's latest generation (0 from a master that predates it). */
  generation: number;
}

/** The pid handed down by `restart -d`, removed from the environment so workers do not inherit it. */
export function takeoverFromEnv(): number | undefined {
  const value = process.env[TAKEOVER_ENV];
  delete process.env[TAKEOVER_ENV];
  const pid = Number(value);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * One restart at a time per data directory: two new masters started beside the same old one would both take over,
 * and one of them would be left running unseen. Returns the release (idempotent; only this process's lock).
 */
export function claimRestart(dataDir: string): () => void {
  const path = join(dataDir, "restart.lock");
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw err;
      const holder = Number(readFileSync(path, "utf8").trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new AppError("E_ALREADY_RUNNING", `a restart is already under way (new master pid ${holder}): wait for it to end, then check status`);
      }
      rmSync(path, { force: true });
    }
  }
  return () => {
    try {
      if (Number(readFileSync(path, "utf8").trim()) === process.pid) rmSync(path, { force: true });
    } catch {
      // released already
    }
  };
}

/** Finds the master to replace through the runtime file and asks its admin API for the config it runs. */
export async function findPredecessor(config: AppConfig, pid: number): Promise<Predecessor> {
  const info = readRuntimeInfo(config.dataDir);
  if (!info || info.pid !== pid || !isAlive(pid)) {
    throw new AppError("E_NOT_RUNNING", `the master to replace (pid ${pid}) no longer runs for ${config.dataDir}: use start`);
  }
  let response: Response;
  try {
    // token.ts brings node:crypto: loaded only by a restart, not on every start's path.
    const { readToken } = await import("../admin/token.ts");
    response = await fetch(`${info.adminUrl}/api/config`, { headers: { Authorization: `Bearer ${readToken(config)}` } });
  } catch (err) {
    throw new AppError("E_ADMIN", `cannot reach the running master's admin plane at ${info.adminUrl}: ${(err as Error).message}`);
  }
  if (!response.ok) {
    const why = response.status === 404 ? "it predates restart handover: stop it, then start" : `${response.status} ${await response.text()}`;
    throw new AppError("E_ADMIN", `the running master (pid ${pid}) did not give its config: ${why}`);
  }
  const body = (await response.json()) as RunningConfigResponse;
  return { pid, adminUrl: info.adminUrl, config: body.config as unknown as AppConfig, generation: body.generation ?? 0 };
}

/**
 * A group whose address is written with port 0 keeps the port the old master picked, so clients and the
 * old workers' reusePort group see one address; a group whose address changed gets what the file says.
 */
export function keepResolvedPorts(next: AppConfig, previous: AppConfig): AppConfig {
  const workers = next.workers.map((group) => {
    const old = previous.workers.find((g) => g.name === group.name);
    if (group.listen.port !== 0 || !old || old.listen.url !== group.listen.url || old.listen.scheme !== group.listen.scheme) return group;
    return { ...group, listen: { ...group.listen, port: old.listen.port } };
  });
  return { ...next, workers };
}

/** True when the runtime file names another live master: this one has been replaced by a restart. */
export function replacedBySuccessor(dataDir: string): boolean {
  const info = readRuntimeInfo(dataDir);
  return info !== null && info.pid !== process.pid && isAlive(info.pid);
}

/**
 * A stop that reaches this master while a restart is under way (the lock names a live new master that has not taken
 * over yet) stops the new one too: otherwise it would take over and serve after the operator asked for nothing to run.
 * Returns the new master's pid when it was told to stop.
 */
export function stopRestartUnderWay(dataDir: string): number | undefined {
  if (replacedBySuccessor(dataDir)) return undefined;
  let holder: number;
  try {
    holder = Number(readFileSync(join(dataDir, "restart.lock"), "utf8").trim());
  } catch {
    return undefined;
  }
  if (!holder || holder === process.pid || !isAlive(holder)) return undefined;
  try {
    process.kill(holder, "SIGTERM");
  } catch {
    return undefined;
  }
  return holder;
}

/** Tells the old master to drain (as `stop`: its connections get stopTimeout) and reports when it has gone. */
export function drainPredecessor(pid: number, log: (line: string) => void): Promise<void> {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return Promise.resolve();
  }
  log(`took over from master pid ${pid}: it drains its connections and exits`);
  const { promise, resolve } = Promise.withResolvers<void>();
  const timer = setInterval(() => {
    if (isAlive(pid)) return;
    clearInterval(timer);
    log(`master pid ${pid} has exited`);
    resolve();
  }, 100);
  timer.unref();
  return promise;
}

/**
 * Starts the new master's workers and resolves once every one is ready and has passed the same health gate as a
 * reload (settle window, onHealthCheck); rejects with the reason otherwise, so the old master is never drained for
 * a release that cannot serve.
 */
export async function readyForTakeover(supervisor: TakeoverSupervisor, oldPid: number): Promise<void> {
  try {
    // Fails fast with the reason (file:line, exit code, stderr) when a process cannot become ready.
    await supervisor.start();
    const { config } = supervisor;
    const checks = config.workers.map((group) => {
      const procs = supervisor.slots.filter((slot) => slot.group.name === group.name).flatMap((slot) => (slot.current ? [slot.current] : []));
      const options: GateOptions = {
        startTimeoutMs: config.reload.startTimeout * 1000,
        healthyMs: (group.healthySeconds ?? config.reload.healthySeconds) * 1000,
        clock: realClock,
        baseDir: config.baseDir,
      };
      return gateGroup(procs, options).then((reason) => reason && new StartFailure(group.name, reason));
    });
    const failure = (await Promise.all(checks)).find((found) => found !== null);
    if (failure) throw failure;
  } catch (err) {
    throw oldMasterServes(err, oldPid);
  }
}

/** The port check of a restart: the old master's processes share its ports; a stranger on one leaves it serving. */
export async function refuseStrangersBeside(config: AppConfig, oldPid: number): Promise<void> {
  await refuseBusyPorts(config, { ours: [oldPid] }).catch((err: unknown) => {
    throw oldMasterServes(err, oldPid);
  });
}

/** A restart that fails says the operator has nothing to undo: the old master never stopped serving. */
function oldMasterServes(err: unknown, oldPid: number): unknown {
  const keeps = `the old master (pid ${oldPid}) keeps serving`;
  return isAppError(err) ? new AppError(err.code, `${err.message}\n${keeps}`, { field: err.field, cause: err }) : err;
}

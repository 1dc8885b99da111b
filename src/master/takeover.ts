// `restart` as a master-to-master handoff: the new master learns the old one's ports, serves beside it, then takes its place.
import { AppError } from "../errors.ts";
import { readToken } from "../admin/token.ts";
import type { RunningConfigResponse } from "../admin/contract.ts";
import type { AppConfig } from "../config/types.ts";
import type { SupervisorEvent } from "./events.ts";
import type { Supervisor } from "./supervisor.ts";
import { isAlive, readRuntimeInfo } from "./runtime-file.ts";

/** Set by `restart -d` on the new master it spawns: the pid of the master to replace. */
export const TAKEOVER_ENV = "WORKERMAN_TAKEOVER";

export interface Predecessor {
  pid: number;
  adminUrl: string;
  /** The old master's running config: its `:0` ports are already resolved. */
  config: AppConfig;
}

/** The pid handed down by `restart -d`, removed from the environment so workers do not inherit it. */
export function takeoverFromEnv(): number | undefined {
  const value = process.env[TAKEOVER_ENV];
  delete process.env[TAKEOVER_ENV];
  const pid = Number(value);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Finds the master to replace through the runtime file and asks its admin API for the config it runs. */
export async function findPredecessor(config: AppConfig, pid: number): Promise<Predecessor> {
  const info = readRuntimeInfo(config.dataDir);
  if (!info || info.pid !== pid || !isAlive(pid)) {
    throw new AppError("E_NOT_RUNNING", `the master to replace (pid ${pid}) no longer runs for ${config.dataDir}: use start`);
  }
  let response: Response;
  try {
    response = await fetch(`${info.adminUrl}/api/config`, { headers: { Authorization: `Bearer ${readToken(config)}` } });
  } catch (err) {
    throw new AppError("E_ADMIN", `cannot reach the running master's admin plane at ${info.adminUrl}: ${(err as Error).message}`);
  }
  if (!response.ok) {
    const why = response.status === 404 ? "it predates restart handover: stop it, then start" : `${response.status} ${await response.text()}`;
    throw new AppError("E_ADMIN", `the running master (pid ${pid}) did not give its config: ${why}`);
  }
  const body = (await response.json()) as RunningConfigResponse;
  return { pid, adminUrl: info.adminUrl, config: body.config as unknown as AppConfig };
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

/** A new master that is not ready by then gives up; the old one never stopped serving. */
const TAKEOVER_READY_MS = 30_000;

/**
 * Starts the new master's workers and resolves once every one of them is ready; rejects with the reason (the
 * last crash's exit and stderr) when one cannot start or the time runs out, so the old master is never drained for it.
 */
export async function readyForTakeover(supervisor: Supervisor, oldPid: number, timeoutMs = TAKEOVER_READY_MS): Promise<void> {
  let lastCrash = "";
  const off = supervisor.on((event: SupervisorEvent) => {
    if (event.type === "process-exited" && !event.expected) lastCrash = crashText(event);
  });
  const keeps = `the old master (pid ${oldPid}) keeps serving`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError("E_HANDLER", `the new master was not ready within ${timeoutMs / 1000} s${lastCrash && `: ${lastCrash}`}; ${keeps}`)), timeoutMs);
  });
  try {
    await Promise.race([supervisor.start(), timeout]);
    // start() lets a process that failed for another reason than its config be retried; a takeover does not wait for that.
    const missing = supervisor.slots.filter((slot) => slot.current?.state !== "ready").map((slot) => `${slot.group.name}#${slot.index}`);
    if (missing.length) throw new AppError("E_HANDLER", `the new master's workers ${missing.join(", ")} did not start${lastCrash && `: ${lastCrash}`}; ${keeps}`);
  } catch (err) {
    if (err instanceof AppError && !err.message.includes(keeps)) throw new AppError(err.code, `${err.message}; ${keeps}`, { field: err.field, cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
    off();
  }
}

function crashText(event: Extract<SupervisorEvent, { type: "process-exited" }>): string {
  const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`;
  const tail = event.stderrTail.slice(-3).join(" | ");
  return `${event.group}#${event.index} exited with ${how}${tail && ` (${tail})`}`;
}

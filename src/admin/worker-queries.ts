// Asks worker processes about their connections and timers over IPC, all at once, and finds the process an action targets.
import type { Context } from "hono";
import type { AppConfig } from "../config/types.ts";
import type { AdminEnv } from "./admin-env.ts";
import type { Audit } from "./audit.ts";
import { z } from "zod";
import { AppError } from "../errors.ts";
import { intQuery, textQuery } from "./query-params.ts";
import type { ProcessError } from "./contract.ts";
import type { SupervisorQueries, WorkerView as WorkerProcess } from "../master/supervisor-interface.ts";

export interface ProcessFilter {
  group?: string;
  pid?: number;
}

/** The filter GET /api/connections and /api/timers take. */
export const processQuery = z.object({
  group: textQuery("One worker group"),
  pid: intQuery("pid", undefined, 1, 2 ** 31, "One process"),
});

/** Every process that still runs (old generations included: their connections are real), filtered. */
export function liveProcesses(supervisor: Pick<SupervisorQueries, "processes">, filter: ProcessFilter = {}): WorkerProcess[] {
  return [...supervisor.processes]
    .filter((p) => p.state !== "exited")
    .filter((p) => (filter.group === undefined || p.group === filter.group) && (filter.pid === undefined || p.pid === filter.pid))
    .sort((a, b) => a.pid - b.pid);
}

/** Only a pid the supervisor owns: the API must never act on an arbitrary process of the machine. */
export function findWorker(supervisor: Pick<SupervisorQueries, "processes">, pid: number): WorkerProcess | undefined {
  return Number.isInteger(pid) ? liveProcesses(supervisor).find((p) => p.pid === pid) : undefined;
}

export interface Gathered<T> {
  rows: { proc: WorkerProcess; items: T[] }[];
  errors: ProcessError[];
}

/** Queries the processes in parallel; one slow or vanished process costs its rows, not the whole answer. */
export async function gather<T>(procs: WorkerProcess[], what: "connections" | "timers"): Promise<Gathered<T>> {
  const replies = await Promise.all(procs.map((proc) => proc.request({ type: "query", what })));
  const result: Gathered<T> = { rows: [], errors: [] };
  replies.forEach((reply, i) => {
    const proc = procs[i]!;
    if (reply.ok && Array.isArray(reply.data)) result.rows.push({ proc, items: reply.data as T[] });
    else result.errors.push({ pid: proc.pid, error: { code: "E_UNAVAILABLE", message: `process ${proc.pid} did not answer: ${reply.error ?? "no data"}` } });
  });
  return result;
}

/** Refuses (400, field "group") a filter naming no group of the app. */
export function checkGroup(config: AppConfig, group: string | undefined): void {
  if (group === undefined || config.workers.some((g) => g.name === group)) return;
  throw new AppError("E_USAGE", `no group "${group}" (groups: ${config.workers.map((g) => g.name).join(", ")})`, { field: "group" });
}

/**
 * The DELETE of one item (a connection, a timer) of one worker process: only a pid the supervisor owns, asked over
 * IPC, audited whether it worked or not; a missing process or item is a 404.
 */
export async function actOnWorkerItem(
  c: Context<AdminEnv>,
  deps: { supervisor: Pick<SupervisorQueries, "processes">; audit: Audit },
  action: "close-connection" | "delete-timer",
  noun: string,
): Promise<{ pid: number; id: number }> {
  const pid = Number(c.req.param("pid"));
  const id = Number(c.req.param("id"));
  const target = `${pid}/${c.req.param("id")}`;
  const proc = findWorker(deps.supervisor, pid);
  if (!proc || !Number.isInteger(id)) {
    deps.audit(c, { action, target, result: "refused: no such worker process" });
    throw new AppError("E_NOT_FOUND", `no worker process ${c.req.param("pid")} (see GET /api/status)`);
  }
  const reply = await proc.request({ type: action, id });
  deps.audit(c, { action, target, result: reply.ok ? "ok" : `refused: ${reply.error}` });
  if (!reply.ok) throw new AppError("E_NOT_FOUND", reply.error ?? `no ${noun} ${id} in process ${pid}`);
  return { pid, id };
}

// Tracks the last reload or restart the operator started, from the live events that follow it, for the progress panel.
import { computed, signal } from "@preact/signals";
import type { LiveEvent, ReloadRecord } from "../src/admin/contract.ts";
import { api, errorText, post } from "./api.ts";
import { events, refreshStatus, status } from "./state.ts";

interface Operation {
  kind: "reload" | "restart";
  title: string;
  startedAt: number;
  /** The newest event before the action: everything after it belongs to this operation. */
  marker: LiveEvent | undefined;
  oldPids: number[];
  /** reload: the generation the master answered with. */
  generation?: number;
  expectedNew: number;
  /** restart: the slot whose process is replaced. */
  slot?: { group: string; index: number };
  error?: string;
  /** reload: the master's record of it (per group: starting, settling until, replaced, rolled back with the reason). */
  record?: ReloadRecord;
}

export const operation = signal<Operation | null>(null);

const RECORD_POLL_MS = 400;

/** Follows the reload record until it ends, as the CLI does; the live events fill in the ready and draining counts. */
async function followRecord(id: number): Promise<void> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, RECORD_POLL_MS));
    const op = operation.value;
    if (!op || op.record?.id !== id) return;
    try {
      const record = await api<ReloadRecord>(`/api/reloads/${id}`);
      if (operation.value?.record?.id !== id) return;
      operation.value = { ...operation.value, record };
      // A group on probation can still roll back: follow it to its outcome.
      if (record.state !== "running" && !record.groups.some((g) => g.phase === "probation")) return;
    } catch {
      // The feed still shows how it goes; try again.
    }
  }
}

function eventsSince(marker: LiveEvent | undefined): LiveEvent[] {
  const all = events.value;
  const end = marker ? all.indexOf(marker) : -1;
  return end === -1 ? all : all.slice(0, end);
}

export const progress = computed(() => {
  const op = operation.value;
  if (!op) return null;
  const recent = eventsSince(op.marker);
  const exited = new Set(recent.flatMap((e) => (e.type === "process-exited" ? [e.pid] : [])));
  const oldLeft = op.oldPids.filter((pid) => !exited.has(pid));
  const ready = recent.flatMap((e) => {
    if (e.type !== "process-ready" || op.oldPids.includes(e.pid)) return [];
    if (op.kind === "reload") return e.generation === op.generation ? [e.pid] : [];
    return e.group === op.slot?.group && e.index === op.slot.index ? [e.pid] : [];
  });
  const failures = recent.flatMap((e) => (e.type === "reload-failed" && e.generation === op.generation ? [`${e.group}#${e.index}: ${e.message}`] : []));
  const finished = recent.find((e) => e.type === "reload-finished" && e.generation === op.generation);
  const readyCount = new Set(ready).size;
  const record = op.record;
  const recordDone = record !== undefined && record.state !== "running";
  const done = op.error !== undefined || (op.kind === "reload" ? finished !== undefined || recordDone : readyCount > 0 && oldLeft.length === 0);
  const rolledBack = record?.groups.filter((g) => g.phase === "rolled-back") ?? [];
  const parked = record?.groups.some((g) => g.phase === "probation");
  const draining = parked ? "; the old processes are parked for probation" : oldLeft.length ? `; ${oldLeft.length} old still draining` : "";
  const result = op.error
    ? `Failed: ${op.error}`
    : rolledBack.length && recordDone
      ? `Rolled back: ${rolledBack.map((g) => g.name).join(", ")}; ${rolledBack.some((g) => g.probation) ? "the parked processes serve again" : "the old processes kept serving"}.`
      : finished?.type === "reload-finished"
        ? `Done: ${finished.replaced} replaced, ${finished.failed} failed${draining}.`
        : done
          ? "Done: the new process is ready and the old one has exited."
          : null;
  return { op, readyCount, oldLeft, failures, done, result, groups: record?.groups ?? [] };
});

function oldPidsOf(groups: string[]): number[] {
  return (status.value?.processes ?? []).flatMap((p) => (groups.includes(p.group) && p.state !== "exited" && p.pid !== null ? [p.pid] : []));
}

export async function startReload(group: string | undefined, graceful: boolean): Promise<void> {
  const s = status.value;
  const groups = (s?.groups ?? []).filter((g) => g.reloadable && (group === undefined || g.name === group));
  const names = groups.map((g) => g.name);
  const title = `${graceful ? "Graceful reload" : "Reload"} of ${group ? `group ${group}` : "all reloadable groups"}`;
  const op: Operation = {
    kind: "reload",
    title,
    startedAt: Date.now(),
    marker: events.value[0],
    oldPids: oldPidsOf(names),
    expectedNew: groups.reduce((sum, g) => sum + g.count, 0),
  };
  operation.value = op;
  try {
    const record = await post<ReloadRecord>("/api/reload", group ? { group, graceful } : { graceful });
    operation.value = { ...op, generation: record.generation, record, title: `${title} → generation ${record.generation}` };
    void followRecord(record.id);
  } catch (err) {
    operation.value = { ...op, error: errorText(err) };
  }
  void refreshStatus().catch(() => undefined);
}

/** Starts now the processes of `group` waiting in crash backoff. */
export async function retryGroup(group: string): Promise<string> {
  try {
    const answer = await post<{ slots: number }>(`/api/groups/${encodeURIComponent(group)}/retry`);
    void refreshStatus().catch(() => undefined);
    return answer.slots ? `${group}: ${answer.slots} waiting process(es) started now` : `${group}: no process was waiting`;
  } catch (err) {
    return `Retry failed: ${errorText(err)}`;
  }
}

export async function startRestart(pid: number): Promise<void> {
  const proc = status.value?.processes.find((p) => p.pid === pid);
  const op: Operation = {
    kind: "restart",
    title: `Restart of ${proc ? `${proc.group}#${proc.index} ` : ""}pid ${pid}`,
    startedAt: Date.now(),
    marker: events.value[0],
    oldPids: [pid],
    expectedNew: 1,
    slot: proc ? { group: proc.group, index: proc.index } : undefined,
  };
  operation.value = op;
  try {
    await post(`/api/processes/${pid}/restart`);
  } catch (err) {
    operation.value = { ...op, error: errorText(err) };
  }
  void refreshStatus().catch(() => undefined);
}

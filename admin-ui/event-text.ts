// One readable line per event, the same for live (SSE) and stored (GET /api/events/log) events.
import type { EventType, LiveEvent, StoredEvent } from "../src/admin/contract.ts";
import { CLUSTER_DESCRIBE } from "./cluster-event-text.ts";
import { formatBytes } from "./format.ts";

export interface EventRow {
  key: string;
  at: number;
  type: string;
  where: string;
  text: string;
  /** crash, failure: drawn in the error color. */
  bad: boolean;
  /** The last stderr lines of a process that exited. */
  stderr: string[];
}

type Fields = Record<string, unknown>;

const str = (v: unknown) => (v === undefined || v === null ? "" : String(v));

type Describe = (d: Fields) => { text: string; bad: boolean };

/**
 * One line for each event type of the contract: `satisfies Record<EventType, ...>` makes a type added to the
 * supervisor's events (or the store's, or the live feed's) fail typecheck until it is described here.
 */
const DESCRIBE = {
  "process-started": (d) => ({ text: `started (generation ${str(d.generation)})`, bad: false }),
  "process-ready": (d) => ({ text: `ready: listening (generation ${str(d.generation)})`, bad: false }),
  "process-exited": (d) => {
    const how = d.signal ? `killed by ${str(d.signal)}` : `exited with code ${str(d.code)}`;
    const crashed = d.expected === false;
    const reason = d.reason as { kind?: string; text?: string } | undefined;
    // A handler that never loaded (syntax error, missing module, throw at start) did not crash: it failed to start.
    const what = reason?.kind === "load-error" ? "failed to load" : "crash";
    const then = crashed ? `: ${what}${d.restartInMs !== undefined ? `, restarting in ${str(d.restartInMs)} ms` : ""}` : "";
    const why = crashed ? reason?.text : undefined;
    return { text: `${how}${then}${why ? ` (${why})` : ""}`, bad: crashed };
  },
  "handler-error": (d) => ({ text: `${str(d.callback)} threw: ${str(d.message)}`, bad: true }),
  // A handler throwing on every request is kept a few times a minute; this row stands for the rest.
  "events-suppressed": (d) => ({
    text: `${Number(d.count).toLocaleString("en-US")} more like this in the last ${Number(d.seconds) === 60 ? "minute" : `${str(d.seconds)} s`}: ${str(d.like)}`,
    bad: true,
  }),
  "reload-begun": (d) => ({
    text: `${d.graceful ? "graceful " : ""}reload to generation ${str(d.generation)} began: ${(d.groups as string[] | undefined)?.join(", ") ?? ""}`,
    bad: false,
  }),
  "reload-settling": (d) => ({
    text: `reload to generation ${str(d.generation)}: every new process is ready; settle window of ${str(d.healthySeconds)} s`,
    bad: false,
  }),
  "reload-finished": (d) => {
    const rolledBack = (d.rolledBack as string[] | undefined) ?? [];
    const tail = rolledBack.length ? `; rolled back: ${rolledBack.join(", ")}` : "";
    return {
      text: `reload to generation ${str(d.generation)} finished: ${str(d.replaced)} replaced, ${str(d.failed)} failed${tail}`,
      bad: Number(d.failed) > 0,
    };
  },
  "reload-probation": (d) => ({
    text: `generation ${str(d.generation)} took over; ${str(d.parked)} old process(es) parked until ${new Date(Number(d.until)).toLocaleTimeString()} in case it exits`,
    bad: false,
  }),
  "reload-probation-ended": (d) => ({
    text:
      d.outcome === "rolled-back"
        ? `generation ${str(d.generation)} rolled back, the parked processes serve again: ${str((d.reason as { text?: string } | undefined)?.text)}`
        : `probation of generation ${str(d.generation)} ${d.outcome === "passed" ? "passed" : `ended by ${str(d.endedBy)}`}: the parked processes stop${Number(d.lost) ? ` (${str(d.lost)} had exited)` : ""}`,
    bad: d.outcome === "rolled-back",
  }),
  "reload-failed": (d) => ({
    text: `generation ${str(d.generation)} rolled back, the old processes keep serving: ${str((d.reason as { text?: string } | undefined)?.text ?? d.message)}`,
    bad: true,
  }),
  retry: (d) => ({ text: `retry now: ${str(d.slots)} waiting process(es) started`, bad: false }),
  "process-unresponsive": (d) => ({
    text: `unresponsive: sent nothing for ${(Number(d.silentMs) / 1000).toFixed(1)} s (watchdogSeconds ${str(d.watchdogSeconds)}): killing and replacing it`,
    bad: true,
  }),
  "spawn-failed": (d) => ({
    text: `${str((d.reason as { text?: string } | undefined)?.text ?? d.message)}${d.retryInMs !== undefined ? `; trying again in ${str(d.retryInMs)} ms` : ""}`,
    bad: true,
  }),
  "memory-limit": (d) => ({ text: `memory ${formatBytes(Number(d.rssBytes))} over the limit ${formatBytes(Number(d.limitBytes))}: replacing it`, bad: true }),
  "ipc-dropped": (d) => ({
    text: `${str(d.count)} IPC message(s) ${d.direction === "to-worker" ? "to this process" : "from this process"} dropped: ${formatBytes(Number(d.capBytes))} were waiting`,
    bad: true,
  }),
  "admin-action": (d) => ({ text: `${str(d.action)} ${str(d.target)}: ${str(d.result)} (from ${str(d.source)})`, bad: !String(d.result).startsWith("ok") }),
  "master-started": (d) => ({ text: `master started (pid ${str(d.pid)})`, bad: false }),
  "master-stopped": (d) => ({ text: `master stopped (pid ${str(d.pid)})`, bad: false }),
  ...CLUSTER_DESCRIBE,
} satisfies Record<EventType, Describe>;

/** Every event type the list draws, in the table's order (the Events view's kinds are built from these). */
export const EVENT_TYPES = Object.keys(DESCRIBE) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(DESCRIBE, type);
}

/** A type this dashboard does not know (a stored row from a newer version) shows its data as JSON. */
function describe(type: string, d: Fields): { text: string; bad: boolean } {
  return isEventType(type) ? DESCRIBE[type](d) : { text: JSON.stringify(d), bad: false };
}

function where(group: unknown, index: unknown, pid: unknown): string {
  if (group === undefined || group === null) return "";
  return `${str(group)}${index !== undefined && index !== null ? `#${str(index)}` : ""}${pid ? ` pid ${str(pid)}` : ""}`;
}

export function liveRow(event: LiveEvent, seq: number): EventRow {
  const d = event as unknown as Fields;
  const { text, bad } = describe(event.type, d);
  return {
    key: `live-${seq}`,
    at: event.at,
    type: event.type,
    where: where(d.group, d.index, d.pid),
    text,
    bad,
    stderr: (d.stderrTail as string[] | undefined) ?? [],
  };
}

export function storedRow(event: StoredEvent): EventRow {
  const d = event.data;
  const { text, bad } = describe(event.type, d);
  return {
    key: `log-${event.id}`,
    at: event.at,
    type: event.type,
    where: where(event.group, d.index, event.pid),
    text,
    bad,
    stderr: (d.stderrTail as string[] | undefined) ?? [],
  };
}

// One readable line per event, the same for live (SSE) and stored (GET /api/events/log) events.
import type { LiveEvent, StoredEvent } from "../src/admin/contract.ts";
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

function describe(type: string, d: Fields): { text: string; bad: boolean } {
  switch (type) {
    case "process-started":
      return { text: `started (generation ${str(d.generation)})`, bad: false };
    case "process-ready":
      return { text: `ready: listening (generation ${str(d.generation)})`, bad: false };
    case "process-exited": {
      const how = d.signal ? `killed by ${str(d.signal)}` : `exited with code ${str(d.code)}`;
      const crashed = d.expected === false;
      const then = crashed ? `: crash${d.restartInMs !== undefined ? `, restarting in ${str(d.restartInMs)} ms` : ""}` : "";
      const why = crashed ? (d.reason as { text?: string } | undefined)?.text : undefined;
      return { text: `${how}${then}${why ? ` (${why})` : ""}`, bad: crashed };
    }
    case "handler-error":
      return { text: `${str(d.callback)} threw: ${str(d.message)}`, bad: true };
    case "events-suppressed":
      // A handler throwing on every request is kept a few times a minute; this row stands for the rest.
      return {
        text: `${Number(d.count).toLocaleString("en-US")} more like this in the last ${Number(d.seconds) === 60 ? "minute" : `${str(d.seconds)} s`}: ${str(d.like)}`,
        bad: true,
      };
    case "reload-begun":
      return {
        text: `${d.graceful ? "graceful " : ""}reload to generation ${str(d.generation)} began: ${(d.groups as string[] | undefined)?.join(", ") ?? ""}`,
        bad: false,
      };
    case "reload-settling":
      return { text: `reload to generation ${str(d.generation)}: every new process is ready; settle window of ${str(d.healthySeconds)} s`, bad: false };
    case "reload-finished": {
      const rolledBack = (d.rolledBack as string[] | undefined) ?? [];
      const tail = rolledBack.length ? `; rolled back: ${rolledBack.join(", ")}` : "";
      return {
        text: `reload to generation ${str(d.generation)} finished: ${str(d.replaced)} replaced, ${str(d.failed)} failed${tail}`,
        bad: Number(d.failed) > 0,
      };
    }
    case "reload-failed":
      return {
        text: `generation ${str(d.generation)} rolled back, the old processes keep serving: ${str((d.reason as { text?: string } | undefined)?.text ?? d.message)}`,
        bad: true,
      };
    case "retry":
      return { text: `retry now: ${str(d.slots)} waiting process(es) started`, bad: false };
    case "memory-limit":
      return { text: `memory ${formatBytes(Number(d.rssBytes))} over the limit ${formatBytes(Number(d.limitBytes))}: replacing it`, bad: true };
    case "admin-action":
      return { text: `${str(d.action)} ${str(d.target)}: ${str(d.result)} (from ${str(d.source)})`, bad: !String(d.result).startsWith("ok") };
    case "master-started":
      return { text: `master started (pid ${str(d.pid)})`, bad: false };
    case "master-stopped":
      return { text: `master stopped (pid ${str(d.pid)})`, bad: false };
    default:
      return { text: JSON.stringify(d), bad: false };
  }
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

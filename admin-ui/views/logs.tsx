/** @jsxImportSource preact */
// The master's log, live: what the master printed and every worker wrote (GET /api/logs), filtered by group, pid and text.
import { useSignal, type Signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { LogItem, LogsResponse } from "../../src/admin/contract.ts";
import { api, errorText } from "../api.ts";
import { formatDateTime } from "../format.ts";
import { processes } from "../state.ts";
import { matchesText } from "./events.tsx";
import { GroupSelect } from "../parts/group-select.tsx";

/** The view keeps this many lines; the master keeps 2000. */
const KEEP = 1000;
const POLL_MS = 1000;

function who(line: LogItem): string {
  return line.source === "master" ? `master ${line.pid}` : `${line.group}#${line.index} ${line.pid}`;
}

export function Logs() {
  const group = useSignal("");
  const pid = useSignal("");
  const query = useSignal("");
  const paused = useSignal(false);
  const lines = useSignal<LogItem[]>([]);
  const message = useSignal<string | null>(null);
  const list = useRef<HTMLOListElement>(null);

  useLogPolling(group, pid, paused, lines, message);

  const shown = lines.value.filter((line) => matchesText(`${who(line)} ${line.text}`, query.value));
  // Follow the end, unless the operator scrolled up to read.
  useEffect(() => {
    const el = list.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [shown.length]);

  return (
    <section aria-labelledby="logs-title">
      <div class="section-head">
        <h2 id="logs-title">Logs</h2>
        <label class="toggle">
          <input type="checkbox" checked={paused.value} onChange={(e) => (paused.value = e.currentTarget.checked)} />
          pause
        </label>
      </div>
      <LogFilters group={group} pid={pid} query={query} />
      {message.value && <p class="warning">{message.value}</p>}
      <ol class="log" ref={list} data-list="logs" aria-live="off">
        {shown.map((line) => (
          <li key={line.seq} data-pid={line.pid} data-group={line.group ?? "master"}>
            <time dateTime={new Date(line.at).toISOString()}>{formatDateTime(line.at)}</time> <span class="where">[{who(line)}]</span>{" "}
            <span class="text">{line.text}</span>
          </li>
        ))}
      </ol>
      <p class="muted" data-log-count={shown.length}>
        {shown.length ? `${shown.length} line${shown.length === 1 ? "" : "s"}` : "No lines yet."} The master keeps its last 2000; the CLI reads the same:
        <code> workerman-app logs -f</code>
      </p>
    </section>
  );
}

/** Polls GET /api/logs for lines after the last one seen; filters go to the master (it keeps more lines than the page does). */
function useLogPolling(group: Signal<string>, pid: Signal<string>, paused: Signal<boolean>, lines: Signal<LogItem[]>, message: Signal<string | null>) {
  useEffect(() => {
    let after = 0;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    lines.value = [];
    const poll = async () => {
      if (stopped) return;
      // Nothing polls while the tab is hidden or the operator paused the view.
      if (!document.hidden && !paused.peek()) {
        const q = new URLSearchParams({ n: after ? "2000" : "300", after: String(after) });
        if (group.value) q.set("group", group.value);
        if (pid.value) q.set("pid", pid.value);
        try {
          const answer = await api<LogsResponse>(`/api/logs?${q}`);
          // A restarted master counts from 1 again: start over rather than wait for its numbers to pass ours.
          if (answer.lastSeq < after) lines.value = [];
          after = answer.lastSeq;
          if (answer.items.length) lines.value = [...lines.value, ...answer.items].slice(-KEEP);
          message.value = null;
        } catch (err) {
          message.value = `Log unavailable: ${errorText(err)}`;
        }
      }
      timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [group.value, pid.value]);
}

function LogFilters({ group, pid, query }: { group: Signal<string>; pid: Signal<string>; query: Signal<string> }) {
  return (
    <div class="filters" role="search">
      <GroupSelect filter="group" extra={["master"]} value={group.value} onPick={(g) => ((group.value = g), (pid.value = ""))} />
      <label>
        pid
        <select data-filter="pid" value={pid.value} onChange={(e) => (pid.value = e.currentTarget.value)}>
          <option value="">all</option>
          {processes.value
            .filter((p) => p.pid && p.state !== "exited" && (!group.value || p.group === group.value))
            .map((p) => (
              <option key={p.pid}>{p.pid}</option>
            ))}
        </select>
      </label>
      <label>
        filter
        <input type="search" data-filter="text" placeholder="words" value={query.value} onInput={(e) => (query.value = e.currentTarget.value)} />
      </label>
    </div>
  );
}

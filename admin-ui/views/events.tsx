/** @jsxImportSource preact */
// Events (starts, exits with their last stderr lines, crashes, reloads) and the audit of admin actions: stored history, then live,
// narrowed by a kind and by text (a pid, a group, a word of the message) that also filters the audit.
import { useSignal, type Signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { AuditRecord, EventType, ListResponse, LiveEvent, StoredEvent } from "../../src/admin/contract.ts";
import { api, errorText } from "../api.ts";
import { EVENT_TYPES, liveRow, storedRow, type EventRow } from "../event-text.ts";
import { formatDateTime } from "../format.ts";
import { events } from "../state.ts";

/** Stable keys for live events: their position shifts as new ones arrive and old ones fall off the cap. */
const liveKeys = new WeakMap<object, number>();
let nextKey = 0;
const keyOf = (event: object) => liveKeys.get(event) ?? (liveKeys.set(event, ++nextKey), nextKey);

/** A kind's test on the row's type: the names are the contract's EventType, so a misspelt one fails typecheck. */
const ofType = (...types: EventType[]) => {
  const set = new Set<string>(types);
  return (row: EventRow) => set.has(row.type);
};

/** The kinds an operator asks for; each is a test on the event's type (and whether it was drawn as bad). */
const KINDS: { key: string; label: string; keep: (row: EventRow) => boolean }[] = [
  { key: "", label: "all kinds", keep: () => true },
  { key: "problems", label: "problems only", keep: (row) => row.bad },
  { key: "exits", label: "exits and crashes", keep: ofType("process-exited", "memory-limit", "process-unresponsive", "spawn-failed") },
  { key: "reloads", label: "reloads", keep: ofType(...EVENT_TYPES.filter((type) => type.startsWith("reload"))) },
  { key: "errors", label: "handler errors", keep: ofType("handler-error", "events-suppressed") },
  { key: "lifecycle", label: "starts and readiness", keep: ofType("process-started", "process-ready") },
];

/** Every word must appear somewhere in the row (type, where, text, stderr), case-insensitively. */
export function matchesText(haystack: string, query: string): boolean {
  const text = haystack.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}

const rowText = (row: EventRow) => `${row.type} ${row.where} ${row.text} ${row.stderr.join(" ")}`;
const auditText = (a: AuditRecord) => `${a.action} ${a.target} ${a.source} ${a.result} ${a.actor ?? ""}`;

function EventList(props: { rows: EventRow[] }) {
  return (
    <ol class="events" data-list="events">
      {props.rows.map((row) => (
        <li key={row.key} class={row.bad ? "bad" : ""} data-type={row.type}>
          <time dateTime={new Date(row.at).toISOString()}>{formatDateTime(row.at)}</time>
          <span class="badge">{row.type}</span>
          {row.where && <span class="where">{row.where}</span>}
          <span class="text">{row.text}</span>
          {row.stderr.length > 0 && (
            <details>
              <summary>last stderr lines ({row.stderr.length})</summary>
              <pre>{row.stderr.join("\n")}</pre>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}

export function Events() {
  const stored = useSignal<StoredEvent[]>([]);
  const audit = useSignal<AuditRecord[]>([]);
  const message = useSignal<string | null>(null);
  const kind = useSignal("");
  const query = useSignal("");
  // The newest admin action: when it changes, the audit table reloads (it has the stored id and every field).
  const lastAction = events.value.find((e) => e.type === "admin-action");

  useEffect(() => {
    api<ListResponse<StoredEvent>>("/api/events/log?limit=200")
      .then((r) => (stored.value = r.items))
      .catch((err) => (message.value = `Stored events unavailable: ${errorText(err)}`));
    api<ListResponse<AuditRecord>>("/api/audit?limit=100")
      .then((r) => (audit.value = r.items))
      .catch((err) => (message.value = `Audit log unavailable: ${errorText(err)}`));
  }, [lastAction]);

  const live = unstoredLive(events.value, stored.value);
  const all = [...live.map((e) => liveRow(e, keyOf(e))), ...stored.value.map(storedRow)].sort((a, b) => b.at - a.at);
  const keep = KINDS.find((k) => k.key === kind.value)?.keep ?? (() => true);
  const rows = all.filter((row) => keep(row) && matchesText(rowText(row), query.value));
  const auditRows = audit.value.filter((a) => matchesText(auditText(a), query.value));
  const filtered = kind.value !== "" || query.value.trim() !== "";

  return (
    <section aria-labelledby="events-title">
      <div class="section-head">
        <h2 id="events-title">Events</h2>
        <EventFilters kind={kind} query={query} />
      </div>
      {message.value && <p class="muted">{message.value}</p>}
      {filtered && (
        <p class="muted" data-shown-events={rows.length}>
          {rows.length} of {all.length} events shown
        </p>
      )}
      {rows.length ? <EventList rows={rows} /> : <p class="muted">{filtered ? "No event matches the filter." : "No events yet."}</p>}
      <h2 id="audit-title">Audit</h2>
      <AuditTable rows={auditRows} />
    </section>
  );
}

/** The same event arrives live and, once stored, from the log (stamped a few ms apart): show it once. */
function unstoredLive(live: readonly LiveEvent[], stored: readonly StoredEvent[]): LiveEvent[] {
  const storedSeen = stored.map((e) => ({ sig: `${e.type}|${e.pid ?? ""}`, at: e.at }));
  return live.filter((e) => {
    if (e.type === "admin-action" || e.type === "stats") return false;
    const sig = `${e.type}|${"pid" in e ? e.pid : ""}`;
    return !storedSeen.some((s) => s.sig === sig && Math.abs(s.at - e.at) < 2000);
  });
}

function EventFilters({ kind, query }: { kind: Signal<string>; query: Signal<string> }) {
  return (
    <div class="filters" role="search">
      <label>
        kind
        <select data-filter="kind" value={kind.value} onChange={(e) => (kind.value = e.currentTarget.value)}>
          {KINDS.map((k) => (
            <option key={k.key} value={k.key}>
              {k.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        filter
        <input type="search" data-filter="text" placeholder="pid, group or words" value={query.value} onInput={(e) => (query.value = e.currentTarget.value)} />
      </label>
    </div>
  );
}

function AuditTable({ rows }: { rows: AuditRecord[] }) {
  return (
    <div class="table-wrap">
      <table data-table="audit" aria-labelledby="audit-title">
        <thead>
          <tr>
            <th scope="col">time</th>
            <th scope="col">action</th>
            <th scope="col">target</th>
            <th scope="col">from</th>
            <th scope="col">result</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.id} class={a.result === "ok" ? "" : "bad"}>
              <td>{formatDateTime(a.at)}</td>
              <td>{a.action}</td>
              <td>{a.target}</td>
              <td>{a.source}</td>
              <td>{a.result}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** @jsxImportSource preact */
// Connections across every process: filter by group, pid or remote address, sort by age or bytes, close one; 100 rows a page.
import { useSignal, useSignalEffect, type Signal } from "@preact/signals";
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { ConnectionItem } from "../../src/admin/contract.ts";
import { del, errorText } from "../api.ts";
import { filterAndSort, LOAD_CAP, loadConnections, type Loaded, type SortKey } from "../connection-list.ts";
import { formatBytes, formatCount, formatDuration } from "../format.ts";
import { askConfirm } from "../parts/confirm.tsx";
import { now, processes } from "../state.ts";
import { ActionsHead } from "../parts/table-head.tsx";
import { GroupSelect } from "../parts/group-select.tsx";

const PAGE_SIZE = 100;
/** Up to this many connections the list follows the live counts by itself; above, a Refresh button does. */
const AUTO_REFRESH_MAX = 1000;

export function Connections() {
  const group = useSignal("");
  const pid = useSignal("");
  const remote = useSignal("");
  const sort = useSignal<SortKey>("age");
  const descending = useSignal(true);
  const page = useSignal(0);
  const loaded = useSignal<Loaded | null>(null);
  const message = useSignal<string | null>(null);
  const loadedAt = useSignal(0);
  const reload = async () => {
    try {
      loaded.value = await loadConnections(group.value, pid.value);
      loadedAt.value = Date.now();
    } catch (err) {
      message.value = errorText(err);
    }
  };
  useEffect(() => void reload(), [group.value, pid.value]);
  useFollowLiveTotal(group, pid, loaded, loadedAt, reload);

  const close = async (c: ConnectionItem) => {
    const result = await closeConnection(c);
    if (result) message.value = result.text;
    if (result?.closed) await reload();
  };

  const data = loaded.value;
  // Memoized: the component redraws every second (ages), but 10,000 rows need sorting only when these change.
  const shown = useMemo(
    () => (data ? filterAndSort(data.items, remote.value, sort.value, descending.value) : []),
    [data, remote.value, sort.value, descending.value],
  );
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const current = Math.min(page.value, pages - 1);
  const rows = shown.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  const sortBy = sortToggler(sort, descending, page);

  return (
    <section aria-labelledby="connections-title">
      <div class="section-head">
        <h2 id="connections-title">Connections</h2>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </div>
      <ConnectionFilters group={group} pid={pid} remote={remote} page={page} />
      {message.value && (
        <p class="notice" role="status">
          {message.value}
        </p>
      )}
      {data && <LoadWarnings data={data} />}
      <ConnectionTable rows={rows} sort={sort} descending={descending} onSort={sortBy} onClose={close} />
      <Pager page={page} current={current} pages={pages} text={pagerText(shown.length, current * PAGE_SIZE, rows.length, data !== null)} />
    </section>
  );
}

/** A column click: the same column flips the order, a new one sorts descending; either goes back to page 1. */
function sortToggler(sort: Signal<SortKey>, descending: Signal<boolean>, page: Signal<number>) {
  return (key: SortKey) => {
    if (sort.value === key) descending.value = !descending.value;
    else (sort.value = key), (descending.value = true);
    page.value = 0;
  };
}

/** "101–200 of 1,234", or why there is nothing to show. */
function pagerText(total: number, first: number, shown: number, loaded: boolean): string {
  if (total) return `${first + 1}–${first + shown} of ${formatCount(total)}`;
  return loaded ? "no connections" : "loading…";
}

/** Follows the live total (from the SSE stats) instead of polling: refetches when it moved, at most every 2 s. */
function useFollowLiveTotal(group: Signal<string>, pid: Signal<string>, loaded: Signal<Loaded | null>, loadedAt: Signal<number>, reload: () => Promise<void>) {
  const seenLive = useRef(-1);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(pending.current), []);
  useSignalEffect(() => {
    const g = group.peek();
    const p = Number(pid.peek());
    const live = processes.value.filter((x) => (!g || x.group === g) && (!p || x.pid === p)).reduce((sum, x) => sum + x.connections, 0);
    if (live === seenLive.current) return;
    seenLive.current = live;
    const current = loaded.peek();
    if (!current || current.total > AUTO_REFRESH_MAX) return;
    if (live === current.total || pending.current) return;
    const wait = Math.max(0, loadedAt.peek() + 2000 - Date.now());
    pending.current = setTimeout(() => ((pending.current = undefined), void reload()), wait);
  });
}

function ConnectionFilters({ group, pid, remote, page }: { group: Signal<string>; pid: Signal<string>; remote: Signal<string>; page: Signal<number> }) {
  return (
    <div class="filters">
      <GroupSelect value={group.value} onPick={(g) => ((group.value = g), (page.value = 0))} />
      <label>
        pid
        <select value={pid.value} onChange={(e) => ((pid.value = e.currentTarget.value), (page.value = 0))}>
          <option value="">all</option>
          {processes.value
            .filter((p) => p.state !== "exited")
            .map((p) => (
              <option key={p.pid}>{p.pid}</option>
            ))}
        </select>
      </label>
      <label>
        remote address
        <input type="search" placeholder="127.0.0.1" value={remote.value} onInput={(e) => ((remote.value = e.currentTarget.value), (page.value = 0))} />
      </label>
    </div>
  );
}

interface TableProps {
  rows: ConnectionItem[];
  sort: Signal<SortKey>;
  descending: Signal<boolean>;
  onSort: (key: SortKey) => void;
  onClose: (c: ConnectionItem) => void;
}

function ConnectionTable({ rows, sort, descending, onSort, onClose }: TableProps) {
  const ariaSort = (key: SortKey) => (sort.value === key ? (descending.value ? "descending" : "ascending") : undefined);

  return (
    <div class="table-wrap">
      <table data-table="connections">
        <caption class="visually-hidden">Open connections</caption>
        <thead>
          <tr>
            <th scope="col">group</th>
            <th scope="col" class="num minor">
              pid
            </th>
            <th scope="col" class="num minor">
              id
            </th>
            <th scope="col">remote</th>
            <th scope="col" class="minor">
              protocol
            </th>
            <th scope="col" class="num" aria-sort={ariaSort("age")}>
              <button type="button" class="sort" onClick={() => onSort("age")}>
                age {sort.value === "age" ? (descending.value ? "▼" : "▲") : ""}
              </button>
            </th>
            <th scope="col" class="num" aria-sort={ariaSort("bytes")}>
              <button type="button" class="sort" onClick={() => onSort("bytes")}>
                bytes in / out {sort.value === "bytes" ? (descending.value ? "▼" : "▲") : ""}
              </button>
            </th>
            <th scope="col" class="minor">
              state
            </th>
            <ActionsHead />
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <ConnectionRow key={`${c.pid}/${c.id}`} c={c} onClose={onClose} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ConnectionRow({ c, onClose }: { c: ConnectionItem; onClose: (c: ConnectionItem) => void }) {
  return (
    <tr data-connection={`${c.pid}/${c.id}`}>
      <td>{c.group}</td>
      <td class="num minor">{c.pid}</td>
      <td class="num minor">{c.id}</td>
      <td>
        <code>
          {c.remoteAddress}
          <wbr />:{c.remotePort}
        </code>
      </td>
      <td class="minor">
        {c.protocol}
        {c.outbound && (
          <span class="muted" title="opened by the worker (worker.connect)">
            {" "}
            · outbound
          </span>
        )}
      </td>
      <td class="num">{formatDuration(now.value - c.openedAt)}</td>
      <td class="num bytes">
        <span>{formatBytes(c.bytesRead)}</span>
        <span class="sep"> / </span>
        <span>{formatBytes(c.bytesWritten)}</span>
      </td>
      <td class="minor">{c.state}</td>
      <td class="actions">
        <button type="button" onClick={() => onClose(c)} aria-label={`Close connection ${c.id} of process ${c.pid}`}>
          Close
        </button>
      </td>
    </tr>
  );
}

function Pager({ page, current, pages, text }: { page: Signal<number>; current: number; pages: number; text: string }) {
  return (
    <nav class="pager" aria-label="Connection pages">
      <button type="button" disabled={current === 0} onClick={() => (page.value = current - 1)}>
        Previous
      </button>
      <span data-connection-count>{text}</span>
      <button type="button" disabled={current >= pages - 1} onClick={() => (page.value = current + 1)}>
        Next
      </button>
    </nav>
  );
}

/** Connections past the load cap, and processes that did not answer. */
function LoadWarnings({ data }: { data: Loaded }) {
  return (
    <>
      {data.total > data.items.length && (
        <p class="warning">
          Showing the first {formatCount(LOAD_CAP)} of {formatCount(data.total)}: filter by group or pid to see the rest.
        </p>
      )}
      {data.errors.map((e) => (
        <p class="warning" key={e.pid}>
          {e.error.message}
        </p>
      ))}
    </>
  );
}

/** Asks, then closes one connection; null when the operator said no. */
async function closeConnection(c: ConnectionItem): Promise<{ closed: boolean; text: string } | null> {
  const who = `${c.remoteAddress}:${c.remotePort}`;
  if (!(await askConfirm(`Close connection ${c.id}?`, `Process ${c.pid} (${c.group}) closes its connection from ${who}.`, "Close"))) return null;
  try {
    await del(`/api/connections/${c.pid}/${c.id}`);
    return { closed: true, text: `Closed connection ${c.id} from ${who} (pid ${c.pid}).` };
  } catch (err) {
    return { closed: false, text: `Could not close connection ${c.id}: ${errorText(err)}` };
  }
}

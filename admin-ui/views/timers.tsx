/** @jsxImportSource preact */
// Timers of every process: interval, persistence, runs and the next run; delete one. Refreshed every 5 s while shown.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { ListResponse, TimerItem } from "../../src/admin/contract.ts";
import { api, del, errorText } from "../api.ts";
import { formatCount, formatInterval, formatRelative } from "../format.ts";
import { askConfirm } from "../parts/confirm.tsx";
import { now } from "../state.ts";
import { TableHead } from "../parts/table-head.tsx";
import { GroupSelect } from "../parts/group-select.tsx";

/** Runs and next-run times change continuously and no event announces them: a slow refresh, only while visible. */
const REFRESH_MS = 5000;

export function Timers() {
  const group = useSignal("");
  const timers = useSignal<TimerItem[] | null>(null);
  const message = useSignal<string | null>(null);
  /** Processes that did not answer: their timers are missing from the table. */
  const missing = useSignal<ListResponse<TimerItem>["errors"]>([]);

  const reload = async () => {
    try {
      const answer = await api<ListResponse<TimerItem>>(`/api/timers${group.value ? `?group=${encodeURIComponent(group.value)}` : ""}`);
      timers.value = answer.items;
      missing.value = answer.errors;
    } catch (err) {
      message.value = errorText(err);
    }
  };
  useEffect(() => {
    void reload();
    const timer = setInterval(() => document.visibilityState === "visible" && void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [group.value]);

  const remove = async (t: TimerItem) => {
    if (!(await confirmDelete(t))) return;
    try {
      await del(`/api/timers/${t.pid}/${t.id}`);
      message.value = `Deleted timer ${t.id} of pid ${t.pid}.`;
      await reload();
    } catch (err) {
      message.value = `Could not delete timer ${t.id}: ${errorText(err)}`;
    }
  };

  const list = timers.value;
  return (
    <section aria-labelledby="timers-title">
      <div class="section-head">
        <h2 id="timers-title">Timers</h2>
        <div class="filters">
          <GroupSelect value={group.value} onPick={(g) => (group.value = g)} />
          <button type="button" onClick={() => void reload()}>
            Refresh
          </button>
        </div>
      </div>
      {message.value && (
        <p class="notice" role="status">
          {message.value}
        </p>
      )}
      <MissingProcesses errors={missing.value} />
      {list && <TimerTable list={list} onDelete={remove} />}
      {list && list.length === 0 && <p class="muted">No timers. Handlers add them with worker.timers.add(seconds, fn).</p>}
      {!list && <p class="muted">Loading…</p>}
    </section>
  );
}

/** One warning per process that did not answer, so an empty or short table is not taken for the whole truth. */
function MissingProcesses({ errors }: { errors: ListResponse<TimerItem>["errors"] }) {
  return (
    <>
      {errors.map((e) => (
        <p class="warning" key={e.pid}>
          {e.error.message}
        </p>
      ))}
    </>
  );
}

function confirmDelete(t: TimerItem): Promise<boolean> {
  const text = `Process ${t.pid} (${t.group}) stops running this ${formatInterval(t.intervalMs)} timer. Its code is not told.`;
  return askConfirm(`Delete timer ${t.id}?`, text, "Delete");
}

function TimerTable({ list, onDelete }: { list: TimerItem[]; onDelete: (t: TimerItem) => void }) {
  return (
    <div class="table-wrap">
      <table data-table="timers">
        <caption class="visually-hidden">Timers</caption>
        <TableHead
          columns={["group", "pid", "id", "interval", "persistent", "runs", "next run"]}
          text={["group", "persistent"]}
          minor={["id", "persistent", "runs"]}
        />
        <tbody>
          {list.map((t) => (
            <tr key={`${t.pid}/${t.id}`} data-timer={`${t.pid}/${t.id}`}>
              <td>{t.group}</td>
              <td class="num">{t.pid}</td>
              <td class="num minor">{t.id}</td>
              <td class="num">{formatInterval(t.intervalMs)}</td>
              <td class="minor">{t.persistent ? "yes" : "once"}</td>
              <td class="num minor">{formatCount(t.runs)}</td>
              <td class="num">{formatRelative(t.nextAt, Math.max(now.value, Date.now() - 1000))}</td>
              <td class="actions">
                <button type="button" onClick={() => onDelete(t)} aria-label={`Delete timer ${t.id} of process ${t.pid}`}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** @jsxImportSource preact */
// Workers: one row per process, the groups with their reload buttons, and the progress of the last reload or restart.
import { useSignal } from "@preact/signals";
import { askConfirm } from "../parts/confirm.tsx";
import { formatBytes, formatCount, formatDuration, formatRate } from "../format.ts";
import { operation, progress, startReload, startRestart } from "../operation.ts";
import { now, processes, status } from "../state.ts";

function Progress() {
  const p = progress.value;
  if (!p) return null;
  const { op } = p;
  return (
    <section class={`progress ${p.done ? (op.error || p.failures.length ? "failed" : "done") : "running"}`} aria-live="polite" data-progress>
      <h3>{op.title}</h3>
      {!op.error && (
        <p>
          {op.kind === "reload" ? "new generation" : "new process"} ready:{" "}
          <strong data-progress-ready>
            {p.readyCount}/{op.expectedNew}
          </strong>{" "}
          · old {op.kind === "reload" ? "generation" : "process"}:{" "}
          <strong>{p.oldLeft.length ? `draining ${p.oldLeft.length}` : "all exited"}</strong>
        </p>
      )}
      {p.failures.map((f) => (
        <p class="error" key={f}>
          {f}
        </p>
      ))}
      {p.result && <p data-progress-result>{p.result}</p>}
      {p.done && (
        <button type="button" onClick={() => (operation.value = null)}>
          Dismiss
        </button>
      )}
    </section>
  );
}

function Groups(props: { graceful: boolean }) {
  const groups = status.value?.groups ?? [];
  const busy = progress.value !== null && !progress.value.done;
  const reload = async (group?: string) => {
    const what = group ? `the processes of group "${group}"` : "every reloadable group";
    const how = props.graceful ? "Old processes wait for their connections to end by themselves." : "Old processes drain, then close what is left after stopTimeout.";
    if (await askConfirm(group ? `Reload ${group}?` : "Reload all groups?", `A new generation replaces ${what}; no request is lost. ${how}`, "Reload")) {
      await startReload(group, props.graceful);
    }
  };
  return (
    <div class="table-wrap">
      <table class="groups">
        <caption class="visually-hidden">Worker groups</caption>
        <thead>
          <tr>
            <th scope="col">group</th>
            <th scope="col">listen</th>
            <th scope="col" class="num">count</th>
            <th scope="col">
              <span class="visually-hidden">actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.name}>
              <th scope="row">{g.name}</th>
              <td>
                <code>{g.listen}</code>
              </td>
              <td class="num">{g.count}</td>
              <td class="actions">
                {g.reloadable ? (
                  <button type="button" disabled={busy} onClick={() => reload(g.name)} aria-label={`Reload group ${g.name}`}>
                    Reload {g.name}
                  </button>
                ) : (
                  <span class="muted" title="reloadable: false in app.json: reload leaves this group running">
                    not reloadable
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="toolbar">
        <button type="button" class="primary" disabled={busy} onClick={() => reload()} data-action="reload-all">
          Reload all
        </button>
      </div>
    </div>
  );
}

export function Workers() {
  const graceful = useSignal(false);
  const busy = progress.value !== null && !progress.value.done;
  const restart = async (pid: number, label: string) => {
    if (await askConfirm(`Restart ${label}?`, `Process ${pid} is replaced by a new one, which starts listening before the old one drains.`, "Restart")) {
      await startRestart(pid);
    }
  };
  const list = processes.value;
  return (
    <section aria-labelledby="workers-title">
      <div class="section-head">
        <h2 id="workers-title">Workers</h2>
        <label class="toggle">
          <input type="checkbox" checked={graceful.value} onChange={(e) => (graceful.value = e.currentTarget.checked)} />
          graceful reload (wait for connections to end)
        </label>
      </div>
      <Groups graceful={graceful.value} />
      <Progress />
      <div class="table-wrap">
        <table class="workers" data-table="workers">
          <caption class="visually-hidden">Worker processes</caption>
          <thead>
            <tr>
              <th scope="col">group</th>
              <th scope="col" class="num">pid</th>
              <th scope="col" class="num">gen</th>
              <th scope="col">state</th>
              <th scope="col" class="num">uptime</th>
              <th scope="col" class="num">conns</th>
              <th scope="col" class="num">req/s</th>
              <th scope="col" class="num">memory</th>
              <th scope="col" class="num">CPU</th>
              <th scope="col" class="num">restarts</th>
              <th scope="col" class="num">timers</th>
              <th scope="col">
                <span class="visually-hidden">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.pid} data-pid={p.pid} data-state={p.state}>
                <td>
                  {p.group}#{p.index}
                </td>
                <td class="num" data-col="pid">
                  {p.pid}
                </td>
                <td class="num">{p.generation}</td>
                <td>
                  <span class={`state state-${p.state}`}>{p.state}</span>
                </td>
                <td class="num">{formatDuration(now.value - p.startedAt)}</td>
                <td class="num">{formatCount(p.connections)}</td>
                <td class="num">{formatRate(p.qps)}</td>
                <td class="num">{p.rssBytes ? formatBytes(p.rssBytes) : "–"}</td>
                <td class="num">{p.cpuPercent.toFixed(1)}%</td>
                <td class="num">{p.restarts}</td>
                <td class="num">{p.timers}</td>
                <td class="actions">
                  {p.state !== "exited" && p.state !== "draining" && (
                    <button type="button" disabled={busy} onClick={() => restart(p.pid, `${p.group}#${p.index}`)} aria-label={`Restart process ${p.pid}`}>
                      Restart
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.length === 0 && <p class="muted">No worker processes.</p>}
    </section>
  );
}

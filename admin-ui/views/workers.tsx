/** @jsxImportSource preact */
// Workers: one row per process, the groups with their reload buttons, and the progress of the last reload or restart.
import { useSignal } from "@preact/signals";
import { askConfirm } from "../parts/confirm.tsx";
import { formatBytes, formatCount, formatDuration, formatRate } from "../format.ts";
import type { FailureReason, LoadErrorReason, ReloadGroup, StatusProcess } from "../../src/admin/contract.ts";
import { operation, progress, retryGroup, startReload, startRestart } from "../operation.ts";
import { now, processes, status } from "../state.ts";
import { TableHead } from "../parts/table-head.tsx";

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
          <strong>{p.oldLeft.length ? `${p.groups.some((g) => g.phase === "probation") ? "parked" : "draining"} ${p.oldLeft.length}` : "all exited"}</strong>
        </p>
      )}
      {p.groups.map((g) => (
        <GroupProgress group={g} key={g.name} />
      ))}
      {p.groups.length === 0 &&
        p.failures.map((f) => (
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

/** One group of a reload: coming up, in its settle window (with the time left), replaced, or rolled back with why. */
function GroupProgress(props: { group: ReloadGroup }) {
  const g = props.group;
  const until = g.phase === "probation" ? g.probation?.until : g.settleUntil;
  const left = until ? Math.max(0, Math.ceil((until - now.value) / 1000)) : 0;
  const text =
    g.phase === "settling"
      ? `settle window: every new process is ready; ${left} s left before the old ones drain`
      : g.phase === "starting"
        ? `starting ${g.count} new process${g.count === 1 ? "" : "es"}`
        : g.phase === "probation"
          ? `${g.replaced} replaced; probation: the old processes stay parked ${left} s more and take over again if a new one exits`
          : g.phase === "replaced"
            ? `${g.replaced} replaced${g.probation?.outcome ? `; probation ${g.probation.outcome === "passed" ? "passed" : "ended early"}` : ""}`
            : g.phase === "removed"
              ? "removed (no longer in app.json)"
              : g.probation
                ? "rolled back during probation: the parked processes serve again"
                : "rolled back: the old processes keep serving";
  return (
    <div class={`progress-group phase-${g.phase}`} data-progress-group={g.name} data-phase={g.phase}>
      <p>
        <strong>{g.name}</strong>: {text}
        {g.change === "changed" && g.keys.length > 0 && <span class="muted"> (changed: {g.keys.join(", ")})</span>}
      </p>
      {g.reason && <Reason reason={g.reason} />}
    </div>
  );
}

/** The source line with a caret under the column, or null when the error points nowhere in the user's files. */
function sourceBox(at: LoadErrorReason): string | null {
  return at.lineText !== undefined && at.column !== undefined ? `${at.lineText}\n${" ".repeat(Math.max(0, at.column - 1))}^` : null;
}

/** A failure as the CLI prints it: the line, the source line with a caret (each error of a load), or the last stderr lines. */
export function Reason(props: { reason: FailureReason }) {
  const r = props.reason;
  const source = sourceBox(r);
  const more = (r.errors ?? []).slice(1);
  return (
    <div class="error" data-reason={r.kind}>
      <p>{r.text}</p>
      {source && <pre>{source}</pre>}
      {!source && r.stderrTail && r.stderrTail.length > 0 && <pre>{r.stderrTail.slice(-5).join("\n")}</pre>}
      {more.map((one, i) => (
        <div key={i} data-load-error={one.at ?? ""}>
          <p>
            {one.at ? `${one.at} ` : ""}
            {one.message}
          </p>
          {sourceBox(one) && <pre>{sourceBox(one)}</pre>}
        </div>
      ))}
    </div>
  );
}

function Groups(props: { graceful: boolean }) {
  const groups = status.value?.groups ?? [];
  const busy = progress.value !== null && !progress.value.done;
  const reload = async (group?: string) => {
    const what = group ? `the processes of group "${group}"` : "every reloadable group";
    const how = props.graceful
      ? "Old processes wait for their connections to end by themselves."
      : "Old processes drain, then close what is left after stopTimeout.";
    if (await askConfirm(group ? `Reload ${group}?` : "Reload all groups?", `A new generation replaces ${what}; no request is lost. ${how}`, "Reload")) {
      await startReload(group, props.graceful);
    }
  };
  return (
    <div class="table-wrap">
      <table class="groups">
        <caption class="visually-hidden">Worker groups</caption>
        <TableHead columns={["group", "listen", "count"]} text={["group", "listen"]} />
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

/** A slot waiting to restart (backoff, crashloop): no process, but its row stays with how it died and a retry button. */
function WaitingRow(props: { p: StatusProcess }) {
  const { p } = props;
  const message = useSignal<string | null>(null);
  const exit = p.lastExit;
  const how = exit ? (exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`) : "";
  const next = p.nextRetryAt ? `next try in ${Math.max(0, Math.ceil((p.nextRetryAt - now.value) / 1000))} s` : "";
  return (
    <tr data-slot={`${p.group}#${p.index}`} data-state={p.state} class="waiting">
      <td>
        {p.group}#{p.index}
      </td>
      <td class="num" data-col="pid">
        –
      </td>
      <td class="num">–</td>
      <td>
        <span class={`state state-${p.state}`}>{p.state}</span>
      </td>
      <td colSpan={5}>
        <span data-last-exit>{[how, next].filter(Boolean).join(" · ")}</span>
        {exit && <Reason reason={exit.reason} />}
        {message.value && <p class="muted">{message.value}</p>}
      </td>
      <td class="num">{p.restarts}</td>
      <td class="num">–</td>
      <td class="actions">
        <button type="button" data-action="retry" onClick={async () => (message.value = await retryGroup(p.group))} aria-label={`Retry group ${p.group} now`}>
          Retry now
        </button>
      </td>
    </tr>
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
          <TableHead columns={COLUMNS} text={["group", "state"]} />
          <tbody>
            {list.map((p) =>
              p.pid === null ? (
                <WaitingRow p={p} key={`${p.group}#${p.index}`} />
              ) : (
                <ProcessRow p={{ ...p, pid: p.pid }} key={p.pid} busy={busy} onRestart={restart} />
              ),
            )}
          </tbody>
        </table>
      </div>
      {list.length === 0 && <p class="muted">No worker processes.</p>}
    </section>
  );
}

const COLUMNS = ["group", "pid", "gen", "state", "uptime", "conns", "req/s", "memory", "CPU", "restarts", "timers"];

function ProcessRow({ p, busy, onRestart }: { p: StatusProcess & { pid: number }; busy: boolean; onRestart: (pid: number, label: string) => void }) {
  return (
    <tr data-pid={p.pid} data-state={p.state}>
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
        {p.state !== "exited" && p.state !== "draining" && p.state !== "parked" && (
          <button type="button" disabled={busy} onClick={() => onRestart(p.pid, `${p.group}#${p.index}`)} aria-label={`Restart process ${p.pid}`}>
            Restart
          </button>
        )}
      </td>
    </tr>
  );
}

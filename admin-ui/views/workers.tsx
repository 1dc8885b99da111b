/** @jsxImportSource preact */
// Workers: the groups with their reload buttons, the progress of the last reload or restart, and the process table.
import { useSignal } from "@preact/signals";
import { askConfirm } from "../parts/confirm.tsx";
import type { ReloadGroup } from "../../src/admin/contract.ts";
import { operation, progress, startReload, startRestart } from "../operation.ts";
import { now, processes, status } from "../state.ts";
import { Reason } from "../parts/failure-reason.tsx";
import { ProcessTable } from "../parts/process-table.tsx";
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
      <ProcessTable busy={busy} onRestart={restart} />
      {list.length === 0 && <p class="muted">No worker processes.</p>}
    </section>
  );
}

/** @jsxImportSource preact */
// Cluster: every instance joined by cluster.redis as a section (host, master, admin address, stale or not), its processes in the Workers columns.
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { ClusterInstance, ClusterResponse, StatusProcess } from "../../src/admin/contract.ts";
import { api } from "../api.ts";
import { formatDuration } from "../format.ts";
import { ClusterRunProgress, clusterRun, restartOn, startClusterReload } from "../parts/cluster-run.tsx";
import { ProcessCells } from "../parts/process-cells.tsx";
import { ActionsHead } from "../parts/table-head.tsx";
import { rateUnit } from "../rate-units.ts";
import { now } from "../state.ts";

/** Instances announce every second; two seconds keeps the view within one refresh of Redis without loading it. */
const REFRESH_MS = 2000;
/** [data-col, label]: the Workers table's names, so its phone layout (which cells stay at 390 px) holds here too. */
const COLUMNS = [
  ["group", "group"],
  ["pid", "pid"],
  ["gen", "gen"],
  ["state", "state"],
  ["uptime", "uptime"],
  ["conns", "conns"],
  ["rate", "rate"],
  ["http5xx", "5xx"],
  ["thrown", "thrown"],
  ["p50", "p50"],
  ["p99", "p99"],
  ["lag", "loop lag"],
  ["memory", "memory"],
  ["cpu", "CPU"],
  ["restarts", "restarts"],
  ["timers", "timers"],
] as const;
const TEXT_COLUMNS = new Set(["group", "state"]);

export const clusterView = signal<ClusterResponse | null>(null);
const failure = signal<string | null>(null);

async function refresh(): Promise<void> {
  try {
    clusterView.value = await api<ClusterResponse>("/api/cluster");
    failure.value = null;
  } catch (err) {
    failure.value = (err as Error).message;
  }
}

function Head({ view }: { view: ClusterResponse }) {
  if (view.connected === null) return <p class="muted">No cluster.redis in app.json: this instance alone.</p>;
  if (!view.connected) {
    return (
      <div class="warning" role="status" data-warning="cluster-view">
        <strong>Redis does not answer:</strong> {view.error ?? "not connected"}. Only this instance is shown until the link is back.
      </div>
    );
  }
  return (
    <p class="muted" data-cluster-count={view.instances.length}>
      {view.instances.length} instance{view.instances.length === 1 ? "" : "s"} announced in Redis
      {view.commands ? "; cluster commands are on (signed)" : "; read-only (no cluster.secretFile)"}.
    </p>
  );
}

/** Restart on another instance's row: only with commands on; this instance's own rows restart locally. */
function Row({ p, i, commands, unit }: { p: StatusProcess; i: ClusterInstance; commands: boolean; unit: string }) {
  const restartable = p.pid !== null && p.state === "ready" && (i.self || commands);
  return (
    <tr data-pid={p.pid ?? undefined} data-state={p.state}>
      <ProcessCells p={p} unit={unit} />
      <td class="actions">
        {restartable && (
          <button type="button" onClick={() => void restartOn(i.id, i.host, p.pid!)} aria-label={`Restart process ${p.pid} on ${i.host}`}>
            Restart
          </button>
        )}
      </td>
    </tr>
  );
}

/** The rate's unit by the group's kind on that instance (its listen URL): req/s, msg/s or datagrams/s. */
function unitOf(i: ClusterInstance, p: StatusProcess): string {
  return rateUnit(i.groups.find((g) => g.name === p.group)?.listen ?? p.listen);
}

function Instance({ i, commands }: { i: ClusterInstance; commands: boolean }) {
  const busy = clusterRun.value?.state === "running";
  const seen = Math.max(0, Math.round((now.value - i.lastSeenAt) / 1000));
  return (
    <section class={`instance${i.stale ? " stale" : ""}`} data-instance={i.id} data-stale={i.stale ? "yes" : "no"} aria-label={`Instance ${i.host}`}>
      <h3>
        {i.host} <span class="muted">master pid {i.masterPid}</span>
        {i.self && <span class="muted"> (this instance)</span>}
        {i.stale && (
          <span class="state state-crashloop" data-stale-badge>
            stale: last seen {seen} s ago
          </span>
        )}
        {commands && (i.self || i.commands) && !i.stale && (
          <button type="button" disabled={busy} onClick={() => void startClusterReload([i.id], i.host)} data-action="reload-instance">
            Reload this instance
          </button>
        )}
      </h3>
      <p class="muted">
        {i.admin ? <a href={i.admin}>{i.admin}</a> : "admin not listening yet"} · version {i.version} · up {formatDuration(now.value - i.startedAt)} · id{" "}
        <code>{i.id}</code>
      </p>
      <div class="table-wrap">
        <table class="workers" data-table="cluster-workers">
          <caption class="visually-hidden">Worker processes of {i.host}</caption>
          <thead>
            <tr>
              {COLUMNS.map(([key, label]) => (
                <th scope="col" key={key} data-col={key} class={TEXT_COLUMNS.has(key) ? undefined : "num"}>
                  {label}
                </th>
              ))}
              <ActionsHead />
            </tr>
          </thead>
          <tbody>
            {i.processes.map((p) => (
              <Row p={p} i={i} commands={commands} unit={unitOf(i, p)} key={`${p.group}#${p.index}#${p.pid}`} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function Cluster() {
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => document.visibilityState === "visible" && void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const view = clusterView.value;
  return (
    <section aria-labelledby="cluster-title">
      <div class="section-head">
        <h2 id="cluster-title">Cluster</h2>
        {view?.commands && view.connected && (
          <button type="button" disabled={clusterRun.value?.state === "running"} onClick={() => void startClusterReload()} data-action="reload-cluster">
            Reload every instance
          </button>
        )}
      </div>
      <ClusterRunProgress />
      {failure.value && <p class="error">{failure.value}</p>}
      {view ? <Head view={view} /> : <p class="muted">Loading the instances…</p>}
      {view?.instances.map((i) => (
        <Instance i={i} commands={view.commands && view.connected === true} key={i.id} />
      ))}
    </section>
  );
}

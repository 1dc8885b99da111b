/** @jsxImportSource preact */
// Cluster: every instance joined by cluster.redis as a section (host, master, admin address, stale or not), its processes in the Workers columns.
import { signal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { ClusterInstance, ClusterResponse, StatusProcess } from "../../src/admin/contract.ts";
import { api } from "../api.ts";
import { formatBytes, formatCount, formatDuration, formatRate } from "../format.ts";
import { ClusterRunProgress, clusterRun, restartOn, startClusterReload } from "../parts/cluster-run.tsx";
import { TableHead } from "../parts/table-head.tsx";
import { now } from "../state.ts";

/** Instances announce every second; two seconds keeps the view within one refresh of Redis without loading it. */
const REFRESH_MS = 2000;
const COLUMNS = ["group", "pid", "gen", "state", "uptime", "conns", "req/s", "memory", "CPU", "restarts", "timers"];

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
function Row({ p, i, commands }: { p: StatusProcess; i: ClusterInstance; commands: boolean }) {
  const restartable = p.pid !== null && p.state === "ready" && (i.self || commands);
  return (
    <tr data-pid={p.pid ?? undefined} data-state={p.state}>
      <td>
        {p.group}#{p.index}
      </td>
      <td class="num">{p.pid ?? "–"}</td>
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
        {restartable && (
          <button type="button" onClick={() => void restartOn(i.id, i.host, p.pid!)} aria-label={`Restart process ${p.pid} on ${i.host}`}>
            Restart
          </button>
        )}
      </td>
    </tr>
  );
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
          <TableHead columns={COLUMNS} text={["group", "state"]} />
          <tbody>
            {i.processes.map((p) => (
              <Row p={p} i={i} commands={commands} key={`${p.group}#${p.index}#${p.pid}`} />
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

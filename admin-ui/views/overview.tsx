/** @jsxImportSource preact */
// The strip an operator reads first: which master, how long up, how busy, and anything that needs fixing now.
import { formatBytes, formatCount, formatDuration, formatRate } from "../format.ts";
import type { StatusResponse } from "../../src/admin/contract.ts";
import { now, status, totals } from "../state.ts";
import { ClusterWarning } from "../parts/cluster-badge.tsx";

function Stat(props: { label: string; value: string; id: string }) {
  return (
    <div class="stat">
      <span class="stat-label" id={`${props.id}-label`}>
        {props.label}
      </span>
      <span class="stat-value" aria-labelledby={`${props.id}-label`} data-stat={props.id}>
        {props.value}
      </span>
    </div>
  );
}

export function Overview() {
  const s = status.value;
  if (!s) return <section class="overview">Loading status…</section>;
  const t = totals.value;
  const m = s.master;
  return (
    <section class="overview" aria-label="Overview">
      <dl class="master-facts">
        <div>
          <dt>master pid</dt>
          <dd data-fact="pid">{m.pid}</dd>
        </div>
        <div>
          <dt>version</dt>
          <dd data-fact="version">{m.version}</dd>
        </div>
        <div>
          <dt>uptime</dt>
          <dd data-fact="uptime">{formatDuration(now.value - m.startedAt)}</dd>
        </div>
        <div class="wide">
          <dt>config</dt>
          <dd data-fact="config">
            <code>{m.configPath}</code>
          </dd>
        </div>
      </dl>
      <div class="stats">
        <Stat id="processes" label="processes" value={formatCount(t.processes)} />
        <Stat id="connections" label="connections" value={formatCount(t.connections)} />
        {t.rates.map(([unit, rate]) => (
          <Stat key={unit} id={`rate-${unit.replace("/s", "")}`} label={unit} value={formatRate(rate)} />
        ))}
        <Stat id="memory" label="memory" value={formatBytes(t.rssBytes)} />
      </div>
      <Warnings s={s} />
    </section>
  );
}

/** What needs fixing now: the kernel setting reloads need, crash loops, a rolled-back reload, a store that fails. */
function Warnings({ s }: { s: StatusResponse }) {
  const m = s.master;
  const waiting = s.processes.filter((p) => p.pid === null);
  const rolledBack = s.lastReload?.state === "rolled-back" ? s.lastReload.groups.filter((g) => g.phase === "rolled-back") : [];
  return (
    <>
      {m.tcpMigrateReq === 0 && (
        <div class="warning" role="status" data-warning="tcp_migrate_req">
          <strong>net.ipv4.tcp_migrate_req is 0:</strong> a reload resets the connections still waiting in an old worker's accept queue. Fix (as root):{" "}
          <code>sysctl -w net.ipv4.tcp_migrate_req=1</code>, and persist it in <code>/etc/sysctl.d/</code>.
        </div>
      )}
      {waiting.length > 0 && (
        <div class="warning" role="status" data-warning="crashloop">
          <strong>
            {waiting.length} process{waiting.length === 1 ? "" : "es"} waiting to restart
          </strong>{" "}
          ({waiting.map((p) => `${p.group}#${p.index} ${p.state}`).join(", ")}): see Workers for the last exit and Retry now.
        </div>
      )}
      {rolledBack.length > 0 && (
        <div class="warning" role="status" data-warning="rolled-back">
          <strong>The last reload (generation {s.lastReload!.generation}) was rolled back</strong>; the old processes kept serving.{" "}
          {rolledBack.map((g) => `${g.name}: ${g.reason?.text ?? "unknown reason"}`).join("; ")}
        </div>
      )}
      <ClusterWarning cluster={s.cluster} />
      {m.storeError && (
        <div class="warning" role="status" data-warning="store">
          <strong>History is not being saved</strong> ({m.storeError.errors} store errors): {m.storeError.lastError}
        </div>
      )}
    </>
  );
}

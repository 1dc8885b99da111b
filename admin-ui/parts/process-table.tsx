/** @jsxImportSource preact */
// The Workers view's process table: a row per process (or per slot waiting to restart) and, after each group's rows, its total row.
import { useSignal } from "@preact/signals";
import type { StatusGroup, StatusProcess } from "../../src/admin/contract.ts";
import { formatBytes, formatCount, formatRate } from "../format.ts";
import { retryGroup } from "../operation.ts";
import { groupTotals, LAG_WARN_SECONDS, type GroupTotal } from "../process-figures.ts";
import { rateUnit } from "../rate-units.ts";
import { groups, now, processes } from "../state.ts";
import { Reason } from "./failure-reason.tsx";
import { ProcessCells } from "./process-cells.tsx";
import { ActionsHead } from "./table-head.tsx";
import { Rate, TrafficCells } from "./traffic-cells.tsx";

/** `key` names the cells (data-col) for the phone layout and for tests; `text` columns are left-aligned. */
const COLUMNS: { key: string; label: string; text?: boolean; title?: string }[] = [
  { key: "group", label: "group", text: true },
  { key: "pid", label: "pid" },
  { key: "gen", label: "gen" },
  { key: "state", label: "state", text: true },
  { key: "uptime", label: "uptime" },
  { key: "conns", label: "conns" },
  { key: "rate", label: "rate", title: "per second: requests (http), messages (websocket, tcp, text, frame, unix) or datagrams (udp)" },
  { key: "http5xx", label: "5xx", title: "responses with a 5xx status since start (http groups)" },
  { key: "thrown", label: "thrown", title: "handler callbacks that threw or rejected since start (a throwing http handler also answers 500)" },
  { key: "p50", label: "p50", title: "median response time over the last ~10 s (http groups)" },
  { key: "p99", label: "p99", title: "99th percentile response time over the last ~10 s (http groups)" },
  { key: "lag", label: "loop lag", title: `event-loop lag: how late a 100 ms timer fires; highlighted past ${LAG_WARN_SECONDS * 1000} ms` },
  { key: "memory", label: "memory" },
  { key: "cpu", label: "CPU" },
  { key: "restarts", label: "restarts" },
  { key: "timers", label: "timers" },
];

type Running = StatusProcess & { pid: number };

interface TableProps {
  busy: boolean;
  onRestart: (pid: number, label: string) => void;
}

export function ProcessTable({ busy, onRestart }: TableProps) {
  const list = processes.value;
  const units = new Map(groups.value.map((g) => [g.name, rateUnit(g.listen)]));
  const totals = groupTotals(groups.value, list);
  return (
    <div class="table-wrap">
      <table class="workers" data-table="workers">
        <caption class="visually-hidden">Worker processes, with a total row per group</caption>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th scope="col" key={c.key} data-col={c.key} class={c.text ? undefined : "num"} title={c.title}>
                {c.label}
              </th>
            ))}
            <ActionsHead />
          </tr>
        </thead>
        {totals.map((t) => {
          const unit = units.get(t.group) ?? rateUnit(list.find((p) => p.group === t.group)?.listen ?? "");
          return (
            <tbody key={t.group} data-group={t.group}>
              {list
                .filter((p) => p.group === t.group)
                .map((p) =>
                  p.pid === null ? (
                    <WaitingRow p={p} key={`${p.group}#${p.index}`} />
                  ) : (
                    <ProcessRow p={{ ...p, pid: p.pid }} unit={unit} key={p.pid} busy={busy} onRestart={onRestart} />
                  ),
                )}
              <TotalRow total={t} unit={unit} />
            </tbody>
          );
        })}
      </table>
    </div>
  );
}

function ProcessRow({ p, unit, busy, onRestart }: { p: Running; unit: string; busy: boolean } & Pick<TableProps, "onRestart">) {
  return (
    <tr data-pid={p.pid} data-state={p.state}>
      <ProcessCells p={p} unit={unit} />
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

/** A group's sums (HAProxy's backend row): what the group as a whole serves, and how it fails. */
function TotalRow({ total: t, unit }: { total: GroupTotal; unit: string }) {
  const group: StatusGroup | undefined = groups.value.find((g) => g.name === t.group);
  const count = group?.count;
  return (
    <tr class="group-total" data-group-total={t.group}>
      <th scope="row" data-col="group">
        {t.group} <span class="muted">total</span>
      </th>
      <td data-col="pid" />
      <td data-col="gen" />
      <td data-col="state">
        {t.processes}
        {count === undefined ? "" : `/${count}`} up
      </td>
      <td data-col="uptime" />
      <td class="num" data-col="conns">
        {formatCount(t.connections)}
      </td>
      <td class="num" data-col="rate">
        <Rate value={t.qps} unit={unit} />
      </td>
      <TrafficCells f={group} />
      <td class="num" data-col="memory">
        {formatBytes(t.rssBytes)}
      </td>
      <td class="num" data-col="cpu">
        {t.cpuPercent.toFixed(1)}%
      </td>
      <td class="num" data-col="restarts">
        {t.restarts}
      </td>
      <td class="num" data-col="timers">
        {t.timers}
      </td>
      <td />
    </tr>
  );
}

/**
 * A slot waiting to restart (backoff, crashloop): no process, but its row stays, with a retry button, and under it a
 * full-width row saying how it died (a full-width row, so the phone layout's hidden columns do not change its span).
 */
function WaitingRow(props: { p: StatusProcess }) {
  const { p } = props;
  const message = useSignal<string | null>(null);
  const exit = p.lastExit;
  const how = exit ? (exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`) : "";
  const next = p.nextRetryAt ? `next try in ${Math.max(0, Math.ceil((p.nextRetryAt - now.value) / 1000))} s` : "";
  const slot = `${p.group}#${p.index}`;
  return (
    <>
      <tr data-slot={slot} data-state={p.state} class="waiting">
        <td data-col="group">{slot}</td>
        {COLUMNS.slice(1).map((c) =>
          c.key === "state" ? (
            <td data-col="state" key={c.key}>
              <span class={`state state-${p.state}`}>{p.state}</span>
            </td>
          ) : (
            <td class={c.text ? undefined : "num"} data-col={c.key} key={c.key}>
              {c.key === "restarts" ? p.restarts : "–"}
            </td>
          ),
        )}
        <td class="actions">
          <button type="button" data-action="retry" onClick={async () => (message.value = await retryGroup(p.group))} aria-label={`Retry group ${p.group} now`}>
            Retry now
          </button>
        </td>
      </tr>
      <tr class="waiting-detail" data-slot-detail={slot}>
        <td colSpan={COLUMNS.length + 1}>
          <span data-last-exit>{[how, next].filter(Boolean).join(" · ")}</span>
          {exit && <Reason reason={exit.reason} />}
          {message.value && <p class="muted">{message.value}</p>}
        </td>
      </tr>
    </>
  );
}

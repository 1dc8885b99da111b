/** @jsxImportSource preact */
// The figures of one process row, from group#index to timers: the Workers table and the Cluster view each add their own actions cell.
import type { StatusProcess } from "../../src/admin/contract.ts";
import { formatBytes, formatCount, formatDuration } from "../format.ts";
import { now } from "../state.ts";
import { Rate, TrafficCells } from "./traffic-cells.tsx";

export function ProcessCells({ p, unit }: { p: StatusProcess; unit: string }) {
  return (
    <>
      <td data-col="group">
        {p.group}#{p.index}
      </td>
      <td class="num" data-col="pid">
        {p.pid ?? "–"}
      </td>
      <td class="num" data-col="gen">
        {p.generation}
      </td>
      <td data-col="state">
        <span class={`state state-${p.state}`}>{p.state}</span>
      </td>
      <td class="num" data-col="uptime">
        {formatDuration(now.value - p.startedAt)}
      </td>
      <td class="num" data-col="conns">
        {formatCount(p.connections)}
      </td>
      <td class="num" data-col="rate">
        <Rate value={p.qps} unit={unit} />
      </td>
      <TrafficCells f={p} />
      <td class="num" data-col="memory">
        {p.rssBytes ? formatBytes(p.rssBytes) : "–"}
      </td>
      <td class="num" data-col="cpu">
        {p.cpuPercent.toFixed(1)}%
      </td>
      <td class="num" data-col="restarts">
        {p.restarts}
      </td>
      <td class="num" data-col="timers">
        {p.timers}
      </td>
    </>
  );
}

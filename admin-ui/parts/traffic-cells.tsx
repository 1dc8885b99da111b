/** @jsxImportSource preact */
// Cells the Workers and Cluster tables share: a rate with its kind's unit, and the errors, p50/p99 and event-loop lag cells.
import type { TrafficFigures } from "../../src/admin/contract.ts";
import { formatCount, formatRate } from "../format.ts";
import { formatLatency, lagLevel } from "../process-figures.ts";

export function Rate({ value, unit }: { value: number; unit: string }) {
  return (
    <>
      {formatRate(value)} <span class="unit">{unit}</span>
    </>
  );
}

/** The error, latency and lag cells: a process's own figures, or a group's (exited processes' counts kept, histograms merged). */
export function TrafficCells({ f }: { f: Pick<TrafficFigures, "errors" | "latency" | "eventLoopLagSeconds"> | undefined }) {
  const level = lagLevel(f?.eventLoopLagSeconds);
  const count = (n: number | undefined, key: string) => (
    <td class={`num${n ? " bad-figure" : ""}`} data-col={key}>
      {n === undefined ? "–" : formatCount(n)}
    </td>
  );
  return (
    <>
      {count(f?.errors.http5xx, "http5xx")}
      {count(f?.errors.handler, "thrown")}
      <td class="num" data-col="p50">
        {formatLatency(f?.latency.p50)}
      </td>
      <td class="num" data-col="p99">
        {formatLatency(f?.latency.p99)}
      </td>
      <td class={`num${level === "bad" ? " bad-figure" : level === "warn" ? " warn-figure" : ""}`} data-col="lag" data-lag={level}>
        {formatLatency(f?.eventLoopLagSeconds)}
      </td>
    </>
  );
}

/** @jsxImportSource preact */
// Response-time percentiles and status-class rates of the http groups over the chosen range.
import { formatRate } from "../format.ts";
import { formatLatency } from "../process-figures.ts";
import { classRateSeries, latencySeries, type TrafficPoint } from "../traffic-points.ts";
import { codeColors } from "../traffic-samples.ts";
import { Chart } from "./chart.tsx";

export function TrafficCharts({ points, range }: { points: readonly TrafficPoint[]; range: string }) {
  const latency = latencySeries(points);
  const codes = classRateSeries(points);
  if (latency.names.length === 0 && codes.names.length === 0) {
    return <p class="muted">No http response in the last {range}: response times and status classes show once an http group answers.</p>;
  }
  return (
    <>
      <Chart title={`Response time p50 / p99 (last ${range})`} series={latency.names} data={latency.data} format={formatLatency} axis="seconds" />
      <Chart
        title={`Responses/s by status class (last ${range})`}
        series={codes.names}
        data={codes.data}
        format={formatRate}
        axis="number"
        units={codes.names.map(() => "req/s")}
        colors={codeColors(codes.names)}
      />
    </>
  );
}

/** @jsxImportSource preact */
// Response-time percentiles and status-code rates of the http groups, over the last 5 minutes of status reads.
import { formatRate } from "../format.ts";
import { formatLatency } from "../process-figures.ts";
import { codeColors, latencySeries, statusCodeSeries, trafficSamples, trafficVersion } from "../traffic-samples.ts";
import { Chart } from "./chart.tsx";

export function TrafficCharts() {
  void trafficVersion.value;
  const samples = trafficSamples();
  const latency = latencySeries(samples);
  const codes = statusCodeSeries(samples);
  if (latency.names.length === 0 && codes.names.length === 0) {
    return <p class="muted">No http response yet in the last 5 minutes: response times and status codes show once an http group answers.</p>;
  }
  return (
    <>
      <Chart title="Response time p50 / p99 (last 5 minutes)" series={latency.names} data={latency.data} format={formatLatency} axis="seconds" />
      <Chart
        title="Responses/s by status code (last 5 minutes)"
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

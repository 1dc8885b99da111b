/** @jsxImportSource preact */
// Rate, connections and memory per group (the last 5 minutes live from the SSE feed, or an hour or a day from history),
// http response times and status codes (the last 5 minutes of status reads), and the app's own metrics.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { MetricsHistoryResponse } from "../../src/admin/contract.ts";
import { api, errorText } from "../api.ts";
import { aligned, historySamples, joinSamples, liveSamples, liveVersion, type Metric, type Sample } from "../chart-data.ts";
import { formatBytes, formatRate } from "../format.ts";
import { AppMetrics } from "../parts/app-metrics.tsx";
import { Chart } from "../parts/chart.tsx";
import { TrafficCharts } from "../parts/traffic-charts.tsx";
import { rateTitle, rateUnit } from "../rate-units.ts";
import { status } from "../state.ts";

const RANGES = [
  { key: "5m", label: "5 minutes (live)", ms: 5 * 60_000, step: 1 },
  { key: "1h", label: "1 hour", ms: 3600_000, step: 15 },
  { key: "1d", label: "1 day", ms: 86_400_000, step: 300 },
] as const;
type RangeKey = (typeof RANGES)[number]["key"];

/** withUnits: the legend names each group's unit (a websocket group's rate is messages, not requests). */
const METRICS: { metric: Metric; title: string; format: (v: number) => string; axis: "bytes" | "count" | "number"; withUnits?: boolean }[] = [
  { metric: "qps", title: "Rate", format: formatRate, axis: "number", withUnits: true },
  { metric: "connections", title: "Connections", format: (v) => String(Math.round(v)), axis: "count" },
  { metric: "rssBytes", title: "Memory", format: formatBytes, axis: "bytes" },
];

/** The samples of the range: history fetched (again each step for the longer ranges), joined with the live ticks for 5 minutes. */
function useRangeSamples(range: RangeKey) {
  const history = useSignal<Sample[]>([]);
  const message = useSignal<string | null>(null);

  useEffect(() => {
    const r = RANGES.find((x) => x.key === range)!;
    const load = async () => {
      const to = Date.now();
      try {
        const answer = await api<MetricsHistoryResponse>(`/api/metrics/history?from=${to - r.ms}&to=${to}&step=${r.step}`);
        history.value = historySamples(answer);
        message.value = null;
      } catch (err) {
        // Live points still come in; only the older part of the picture is missing.
        message.value = `No history: ${errorText(err)}`;
      }
    };
    void load();
    // Longer ranges gain a point per step: refetch at that pace instead of each second.
    const timer = range === "5m" ? undefined : setInterval(load, r.step * 1000);
    return () => clearInterval(timer);
  }, [range]);

  void liveVersion.value;
  const r = RANGES.find((x) => x.key === range)!;
  const since = Date.now() - r.ms;
  const samples = range === "5m" ? joinSamples(history.value, liveSamples(), since) : history.value.filter((s) => s.at >= since);
  return { samples, message: message.value };
}

export function Charts() {
  const range = useSignal<RangeKey>("5m");
  const { samples, message } = useRangeSamples(range.value);
  const groups = status.value?.groups.map((g) => g.name) ?? [];
  const units = status.value?.groups.map((g) => rateUnit(g.listen)) ?? [];

  return (
    <section aria-labelledby="charts-title">
      <div class="section-head">
        <h2 id="charts-title">Charts</h2>
        <div class="segmented" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button type="button" key={r.key} aria-pressed={range.value === r.key} onClick={() => (range.value = r.key)}>
              {r.label}
            </button>
          ))}
        </div>
      </div>
      {message && <p class="muted">{message}</p>}
      <div class="charts">
        {METRICS.map((m) => (
          <Chart
            key={m.metric}
            title={`${m.withUnits ? rateTitle(units) : m.title} per group`}
            series={groups}
            data={aligned(samples, groups, m.metric)}
            format={m.format}
            axis={m.axis}
            units={m.withUnits ? units : undefined}
          />
        ))}
        <TrafficCharts />
      </div>
      <AppMetrics />
    </section>
  );
}

/** @jsxImportSource preact */
// Rate, connections, memory and event-loop lag per group, and the http groups' response times and status classes: the
// last 5 minutes from history joined with the live feed, or an hour or a day from history alone; then the app's own metrics.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { MetricsHistoryResponse } from "../../src/admin/contract.ts";
import { api, errorText } from "../api.ts";
import { aligned, historySamples, joinSamples, liveSamples, liveVersion, type Metric } from "../chart-data.ts";
import { formatBytes, formatRate } from "../format.ts";
import { AppMetrics } from "../parts/app-metrics.tsx";
import { Chart } from "../parts/chart.tsx";
import { TrafficCharts } from "../parts/traffic-charts.tsx";
import { formatLatency } from "../process-figures.ts";
import { rateTitle, rateUnit } from "../rate-units.ts";
import { status } from "../state.ts";
import { historyTraffic, joinTraffic, liveTraffic } from "../traffic-points.ts";
import { trafficSamples, trafficVersion } from "../traffic-samples.ts";

const RANGES = [
  { key: "5m", label: "5 minutes (live)", span: "5 minutes", ms: 5 * 60_000, step: 1 },
  { key: "1h", label: "1 hour", span: "hour", ms: 3600_000, step: 15 },
  { key: "1d", label: "1 day", span: "day", ms: 86_400_000, step: 300 },
] as const;
type Range = (typeof RANGES)[number];

/** The range is in the address (`#/charts?range=1h`), so a reload or a shared link opens the same picture. */
function rangeFromHash(): Range {
  const key = new URLSearchParams(location.hash.split("?")[1] ?? "").get("range");
  return RANGES.find((r) => r.key === key) ?? RANGES[0];
}

/** withUnits: the legend names each group's unit (a websocket group's rate is messages, not requests). */
const METRICS: { metric: Metric; title: string; format: (v: number) => string; axis: "bytes" | "count" | "number" | "seconds"; withUnits?: boolean }[] = [
  { metric: "qps", title: "Rate", format: formatRate, axis: "number", withUnits: true },
  { metric: "connections", title: "Connections", format: (v) => String(Math.round(v)), axis: "count" },
  { metric: "rssBytes", title: "Memory", format: formatBytes, axis: "bytes" },
  { metric: "lag", title: "Event-loop lag (slowest process)", format: formatLatency, axis: "seconds" },
];

/** The range's history (fetched again each step for the longer ranges), joined with the live ticks for 5 minutes. */
function useRangeSamples(r: Range) {
  const history = useSignal<MetricsHistoryResponse | null>(null);
  const message = useSignal<string | null>(null);

  useEffect(() => {
    history.value = null;
    const load = async () => {
      const to = Date.now();
      try {
        history.value = await api<MetricsHistoryResponse>(`/api/metrics/history?from=${to - r.ms}&to=${to}&step=${r.step}`);
        message.value = null;
      } catch (err) {
        // Live points still come in; only the older part of the picture is missing.
        message.value = `No history: ${errorText(err)}`;
      }
    };
    void load();
    // Longer ranges gain a point per step: refetch at that pace instead of each second.
    const timer = r.key === "5m" ? undefined : setInterval(load, r.step * 1000);
    return () => clearInterval(timer);
  }, [r.key]);

  void liveVersion.value;
  void trafficVersion.value;
  const since = Date.now() - r.ms;
  const stored = history.value ? historySamples(history.value) : [];
  const storedTraffic = history.value ? historyTraffic(history.value) : [];
  if (r.key !== "5m") return { samples: stored.filter((s) => s.at >= since), traffic: storedTraffic.filter((p) => p.at >= since), message: message.value };
  return {
    samples: joinSamples(stored, liveSamples(), since),
    traffic: joinTraffic(storedTraffic, liveTraffic(trafficSamples()), since),
    message: message.value,
  };
}

export function Charts() {
  const range = useSignal<Range>(rangeFromHash());
  useEffect(() => {
    const follow = () => (range.value = rangeFromHash());
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);
  const choose = (r: Range) => {
    // Replaced, not pushed: Back leaves the Charts view rather than stepping through ranges.
    history.replaceState(null, "", `#/charts?range=${r.key}`);
    range.value = r;
  };
  const { samples, traffic, message } = useRangeSamples(range.value);
  const groups = status.value?.groups.map((g) => g.name) ?? [];
  const units = status.value?.groups.map((g) => rateUnit(g.listen)) ?? [];

  return (
    <section aria-labelledby="charts-title">
      <div class="section-head">
        <h2 id="charts-title">Charts</h2>
        <div class="segmented" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button type="button" key={r.key} aria-pressed={range.value.key === r.key} onClick={() => choose(r)}>
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
        <TrafficCharts points={traffic} range={range.value.span} />
      </div>
      <AppMetrics />
    </section>
  );
}

// Renders metric families in the Prometheus text exposition format (version 0.0.4).
export interface MetricFamily {
  name: string;
  help: string;
  type: "gauge" | "counter" | "histogram";
  /** A histogram's samples carry their suffix (_bucket, _sum, _count): histogramSamples() makes them. */
  samples: { labels?: Record<string, string | number>; value: number; suffix?: string }[];
}

/** A histogram's series from per-bucket counts (the last one +Inf): cumulative `le` buckets, then _sum and _count. */
export function histogramSamples(
  labels: Record<string, string | number>,
  bounds: readonly number[],
  counts: readonly number[],
  sum: number,
): MetricFamily["samples"] {
  const samples: MetricFamily["samples"] = [];
  let cumulative = 0;
  for (let i = 0; i <= bounds.length; i++) {
    cumulative += counts[i] ?? 0;
    samples.push({ labels: { ...labels, le: i < bounds.length ? String(bounds[i]) : "+Inf" }, value: cumulative, suffix: "_bucket" });
  }
  samples.push({ labels, value: sum, suffix: "_sum" }, { labels, value: cumulative, suffix: "_count" });
  return samples;
}

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

export function renderPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {}).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`);
      lines.push(`${family.name}${sample.suffix ?? ""}${labels.length ? `{${labels.join(",")}}` : ""} ${formatValue(sample.value)}`);
    }
  }
  return lines.join("\n") + "\n";
}

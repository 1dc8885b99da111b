// Renders metric families in the Prometheus text exposition format (version 0.0.4).
export interface MetricFamily {
  name: string;
  help: string;
  type: "gauge" | "counter";
  samples: { labels?: Record<string, string | number>; value: number }[];
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
      lines.push(`${family.name}${labels.length ? `{${labels.join(",")}}` : ""} ${formatValue(sample.value)}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** @jsxImportSource preact */
// The app's own numbers (worker.metrics): each group's values, summed over its processes, and its observed histograms.
import type { AppHistogramFigures } from "../../src/admin/contract.ts";
import { formatCount } from "../format.ts";
import { formatLatency } from "../process-figures.ts";
import { useEffect } from "preact/hooks";
import { startStatusRefresh, status } from "../state.ts";

type Value = { group: string; name: string; value: number };
type Histogram = { group: string; name: string } & AppHistogramFigures;

export function AppMetrics() {
  // worker.metrics values are not in the tick (a handler may keep many): while the panel shows, read them every 2 s.
  useEffect(() => startStatusRefresh(2000), []);
  const groups = status.value?.groups ?? [];
  const values = groups.flatMap((g) => Object.entries(g.app?.values ?? {}).map(([name, value]) => ({ group: g.name, name, value })));
  const histograms = groups.flatMap((g) => Object.entries(g.app?.histograms ?? {}).map(([name, h]) => ({ group: g.name, name, ...h })));
  return (
    <section class="app-metrics" aria-labelledby="app-metrics-title" data-panel="app-metrics">
      <h3 id="app-metrics-title">App metrics</h3>
      {values.length === 0 && histograms.length === 0 && (
        <p class="muted">
          None yet: a handler records its own with <code>worker.metrics.set(name, value)</code>, <code>inc(name)</code> or <code>observe(name, seconds)</code>.
        </p>
      )}
      {values.length > 0 && <ValueTable values={values} />}
      {histograms.length > 0 && <HistogramTable histograms={histograms} />}
    </section>
  );
}

/** A header row: names, numbers right-aligned. */
function Head({ text, numbers }: { text: string[]; numbers: string[] }) {
  return (
    <thead>
      <tr>
        {text.map((name) => (
          <th scope="col" key={name}>
            {name}
          </th>
        ))}
        {numbers.map((name) => (
          <th scope="col" class="num" key={name}>
            {name}
          </th>
        ))}
      </tr>
    </thead>
  );
}

function ValueTable({ values }: { values: Value[] }) {
  return (
    <div class="table-wrap">
      <table data-table="app-values">
        <caption class="visually-hidden">App values by group</caption>
        <Head text={["group", "name"]} numbers={["value"]} />
        <tbody>
          {values.map((v) => (
            <tr key={`${v.group}/${v.name}`} data-metric={v.name}>
              <td>{v.group}</td>
              <td>
                <code>{v.name}</code>
              </td>
              <td class="num">{Number.isInteger(v.value) ? formatCount(v.value) : v.value.toPrecision(6)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** count and mean since start; p50 and p99 over about the last 10 s. */
function HistogramTable({ histograms }: { histograms: Histogram[] }) {
  return (
    <div class="table-wrap">
      <table data-table="app-histograms">
        <caption class="visually-hidden">App histograms by group</caption>
        <Head text={["group", "name"]} numbers={["count", "mean", "p50", "p99"]} />
        <tbody>
          {histograms.map((h) => (
            <tr key={`${h.group}/${h.name}`} data-histogram={h.name}>
              <td>{h.group}</td>
              <td>
                <code>{h.name}</code>
              </td>
              <td class="num">{formatCount(h.count)}</td>
              <td class="num">{h.count > 0 ? formatLatency(h.sum / h.count) : "–"}</td>
              <td class="num">{formatLatency(h.p50)}</td>
              <td class="num">{formatLatency(h.p99)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

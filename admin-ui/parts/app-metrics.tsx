/** @jsxImportSource preact */
// The app's own numbers (worker.metrics): each group's values, summed over its processes, and its observed histograms.
import { formatCount } from "../format.ts";
import { formatLatency } from "../process-figures.ts";
import { status } from "../state.ts";

export function AppMetrics() {
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
      {values.length > 0 && (
        <div class="table-wrap">
          <table data-table="app-values">
            <caption class="visually-hidden">App values by group</caption>
            <thead>
              <tr>
                <th scope="col">group</th>
                <th scope="col">name</th>
                <th scope="col" class="num">
                  value
                </th>
              </tr>
            </thead>
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
      )}
      {histograms.length > 0 && (
        <div class="table-wrap">
          <table data-table="app-histograms">
            <caption class="visually-hidden">App histograms by group</caption>
            <thead>
              <tr>
                <th scope="col">group</th>
                <th scope="col">name</th>
                <th scope="col" class="num">
                  count
                </th>
                <th scope="col" class="num">
                  mean
                </th>
                <th scope="col" class="num" title="over the last ~10 s">
                  p50
                </th>
                <th scope="col" class="num" title="over the last ~10 s">
                  p99
                </th>
              </tr>
            </thead>
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
      )}
    </section>
  );
}

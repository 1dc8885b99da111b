// The traffic families of /metrics: http latency histograms and status codes, bytes and messages per group, lag, errors by callback, app metrics.
import type { AppConfig } from "../config/types.ts";
import { BUCKETS } from "../latency-histogram.ts";
import type { SupervisorView } from "../master/supervisor-interface.ts";
import { trafficTotals, type TrafficSums } from "../master/traffic-totals.ts";
import { histogramSamples, type MetricFamily } from "./prometheus-text.ts";
import { liveProcesses } from "./worker-queries.ts";

type Sample = MetricFamily["samples"][number];
type WorkerProcess = ReturnType<typeof liveProcesses>[number];

/** Every group's totals (exited processes included, so counters never go back) and the live processes' own figures. */
export function trafficFamilies(supervisor: SupervisorView): MetricFamily[] {
  const totals = trafficTotals(supervisor);
  const groups = supervisor.config.workers.map((g) => ({ name: g.name, scheme: g.listen.scheme, sums: totals.group(g.name) }));
  const procs = liveProcesses(supervisor).filter((p) => p.counters);
  return [...httpFamilies(groups), ...streamFamilies(groups), ...processFamilies(procs), ...appFamilies(groups, procs)];
}

type GroupSums = { name: string; scheme: AppConfig["workers"][number]["listen"]["scheme"]; sums: TrafficSums };

function counter(name: string, help: string, samples: Sample[]): MetricFamily {
  return { name, help, type: "counter", samples };
}

function httpFamilies(groups: GroupSums[]): MetricFamily[] {
  const http = groups.filter((g) => g.scheme === "http");
  return [
    {
      name: "workerman_http_request_duration_seconds",
      help: "Time from a request to its handler's Response (native routes that are a Response or a file are not counted).",
      type: "histogram",
      samples: http.flatMap((g) => {
        const d = g.sums.duration;
        return d ? histogramSamples({ group: g.name }, BUCKETS, d.counts, d.sum) : histogramSamples({ group: g.name }, BUCKETS, [], 0);
      }),
    },
    counter(
      "workerman_http_responses_total",
      'Responses by status code ("other" past 40 distinct codes per group).',
      http.flatMap((g) => Object.entries(g.sums.codes).map(([code, value]) => ({ labels: { group: g.name, code }, value }))),
    ),
  ];
}

/** Bytes received for every group (http: request bodies), sent and messages for the others (http has requests and responses). */
function streamFamilies(groups: GroupSums[]): MetricFamily[] {
  const others = groups.filter((g) => g.scheme !== "http");
  const per = (pick: (s: TrafficSums) => number, from = groups) => from.map((g) => ({ labels: { group: g.name }, value: pick(g.sums) }));
  return [
    counter(
      "workerman_received_bytes_total",
      "Bytes received from peers (http: request bodies).",
      per((s) => s.bytesIn),
    ),
    counter(
      "workerman_sent_bytes_total",
      "Bytes sent to peers, non-http groups (Bun writes http bodies natively, unseen).",
      per((s) => s.bytesOut, others),
    ),
    counter(
      "workerman_messages_received_total",
      "Messages (datagrams) handed to the handler, non-http groups.",
      per((s) => s.requests, others),
    ),
    counter(
      "workerman_messages_sent_total",
      "Messages (datagrams) the handler sent and the connection accepted, non-http groups.",
      per((s) => s.messagesOut, others),
    ),
  ];
}

function processFamilies(procs: WorkerProcess[]): MetricFamily[] {
  const labels = (p: WorkerProcess) => ({ group: p.group, pid: p.pid });
  return [
    {
      name: "workerman_event_loop_lag_seconds",
      help: "The largest delay of the worker's 100 ms timer in its last report (one a second): how long the event loop was blocked.",
      type: "gauge",
      samples: procs.map((p) => ({ labels: labels(p), value: p.counters!.traffic?.eventLoopLagSeconds ?? 0 })),
    },
    counter(
      "workerman_handler_errors_total",
      "Handler callbacks that threw or rejected, by callback (fetch, onMessage, timer, uncaughtException, ...).",
      procs.flatMap((p) =>
        Object.entries(p.counters!.traffic?.errorsByCallback ?? {}).map(([callback, value]) => ({ labels: { ...labels(p), callback }, value })),
      ),
    ),
    counter(
      "workerman_app_metrics_refused_total",
      "worker.metrics names refused past the caps (64 values, 16 histograms per process).",
      procs.map((p) => ({ labels: labels(p), value: p.counters!.traffic?.metricsRefused ?? 0 })),
    ),
  ];
}

/** A worker.metrics name as a Prometheus one: anything but letters, digits and _ becomes _. */
export function appMetricName(name: string): string {
  return `workerman_app_${name.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

/**
 * worker.metrics values as gauges per process, observed histograms summed per group. Two names that read the same
 * once cleaned ("a.b", "a_b"), or a value named like a histogram's series, keep only the first: a family is never split.
 */
function appFamilies(groups: GroupSums[], procs: WorkerProcess[]): MetricFamily[] {
  const claims = new AppNames();
  for (const g of groups) {
    for (const [raw, h] of Object.entries(g.sums.observed)) {
      claims.family(raw, "histogram")?.samples.push(...histogramSamples({ group: g.name }, BUCKETS, h.counts, h.sum));
    }
  }
  for (const p of procs) {
    for (const [raw, value] of Object.entries(p.counters!.metrics ?? {}))
      claims.family(raw, "gauge")?.samples.push({ labels: { group: p.group, pid: p.pid }, value });
  }
  return claims.families();
}

/** Which worker.metrics name owns each series name; our own app-prefixed family is taken from the start. */
class AppNames {
  readonly #taken = new Set(["workerman_app_metrics_refused_total"]);
  readonly #owners = new Map<string, { raw: string; family: MetricFamily }>();

  family(raw: string, type: "gauge" | "histogram"): MetricFamily | undefined {
    const name = appMetricName(raw);
    const owned = this.#owners.get(name);
    if (owned) return owned.raw === raw && owned.family.type === type ? owned.family : undefined;
    const series = (type === "histogram" ? ["_bucket", "_sum", "_count"] : [""]).map((suffix) => name + suffix);
    if (series.some((s) => this.#taken.has(s))) return undefined;
    for (const s of series) this.#taken.add(s);
    const help = type === "histogram" ? `worker.metrics.observe("${raw}"), in seconds.` : `worker.metrics value "${raw}".`;
    const family: MetricFamily = { name, help, type, samples: [] };
    this.#owners.set(name, { raw, family });
    return family;
  }

  families(): MetricFamily[] {
    return [...this.#owners.values()].map((o) => o.family);
  }
}

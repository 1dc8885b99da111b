// A worker's traffic figures beyond the plain counters: http latency and codes, event-loop lag, errors by callback, app histograms.
import type { TrafficCounters } from "../ipc.ts";
import { skipSendCounting } from "./connection.ts";
import { HttpCounting, UNCOUNTED_ENV } from "./http-counting.ts";
import { LoopLag } from "./loop-lag.ts";
import type { MetricsRegistry } from "./metrics.ts";

export class TrafficCounting {
  /** Made by the http:// listener, which alone times responses (null for other schemes, and in the bench's uncounted rounds). */
  http: HttpCounting | null = null;
  readonly lag = new LoopLag();
  readonly #errors = new Map<string, number>();

  /** Starts the lag timer once the process serves; the bench's uncounted rounds instead turn the send counting off too. */
  start(): void {
    if (uncounted("send")) skipSendCounting();
    if (!uncounted("lag")) this.lag.start();
  }

  /** The http:// listener's counting, unless the bench turned it off for its comparison. */
  httpCounting(): HttpCounting | null {
    if (uncounted("http")) return null;
    this.http ??= new HttpCounting();
    return this.http;
  }

  /** Callback names are the runtime's own (a fixed set), so this map stays small. */
  error(callback: string): void {
    this.#errors.set(callback, (this.#errors.get(callback) ?? 0) + 1);
  }

  /** Once per stats report: it takes the lag since the last one and moves the histograms' recent windows on. */
  report(metrics: MetricsRegistry): TrafficCounters {
    const http = this.http;
    return {
      ...(http ? { http: { duration: http.duration.report(), codes: http.codes() } } : {}),
      eventLoopLagSeconds: this.lag.take(),
      errorsByCallback: Object.fromEntries(this.#errors),
      ...optional("observed", metrics.reportHistograms()),
      metricsRefused: metrics.refused,
    };
  }
}

/** The bench's switch: "1" turns every part off, or one part by name (http, lag, send) to tell their costs apart. */
function uncounted(part: "http" | "lag" | "send"): boolean {
  const value = process.env[UNCOUNTED_ENV];
  return value === "1" || value === part;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

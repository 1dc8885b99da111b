// The admin API's traffic figures, per process and per group: errors, latency, status codes, bytes, messages, lag, app metrics.

/** p50/p99 in seconds over about the last 10 s, estimated from the histogram's buckets; null: not http, or no request then. */
export interface LatencyFigures {
  p50: number | null;
  p99: number | null;
}

/** A worker.metrics.observe() histogram, summed: since start (count, sum) and over about the last 10 s (p50, p99). */
export interface AppHistogramFigures {
  count: number;
  sum: number;
  p50: number | null;
  p99: number | null;
}

export interface TrafficFigures {
  /** http5xx: responses with a 5xx status (http:// groups); handler: callbacks that threw or rejected. */
  errors: { http5xx: number; handler: number };
  latency: LatencyFigures;
  /** The largest event-loop delay in the last report, seconds (a group: its slowest process); null before the first. */
  eventLoopLagSeconds: number | null;
  /** http:// groups: responses by status code ("other" past 40 distinct codes); {} for other schemes. */
  responses: Record<string, number>;
  /**
   * Bytes from and to peers. http:// counts request bodies in, and `out` is null: Bun.serve reports no socket bytes
   * and writes response bodies natively, where measuring them would cost every request.
   */
  bytes: { in: number; out: number | null };
  /** Messages handed to the handler and sent by it; http://: requests in, responses out. */
  messages: { in: number; out: number };
  /** worker.metrics: values (a group: summed over its processes) and observed histograms. */
  app: { values: Record<string, number>; histograms: Record<string, AppHistogramFigures> };
}

/** A group's figures: its live processes, plus what its exited processes counted (so totals never go back). */
export interface GroupTrafficFigures extends TrafficFigures {
  /** Requests (http) or messages handed to the handler, exited processes included. */
  requests: number;
}

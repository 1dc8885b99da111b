// Feeds the store from the live master: a sample of every process and group each second, every supervisor event, retention each minute.
import type { StatusProcess, StatusResponse } from "../master/status-records.ts";
import type { SupervisorEvent } from "../master/events.ts";
import type { MasterStore } from "./master-store.ts";
import type { ProcessSample } from "./metrics-history.ts";
import { TrafficDeltas } from "./traffic-deltas.ts";

export interface RecorderSource {
  /** The processes and groups as /api/status shows them right now. */
  status: () => Pick<StatusResponse, "processes" | "groups">;
  /** A group's duration histogram since the master started, per-bucket counts (the status shows only percentiles); null: not http. */
  durations?: (group: string) => readonly number[] | null;
  /** Subscribes to supervisor events; returns the unsubscribe function. */
  subscribe: (listener: (event: SupervisorEvent) => void) => () => void;
}

const SAMPLE_EVERY_MS = 1000;
const MAINTAIN_EVERY_TICKS = 60;

export interface Recorder {
  /** Writes one sample now (the ticker calls this; tests may too). */
  sample: (at?: number) => void;
  stop: () => void;
}

function processSample(p: StatusProcess & { pid: number }): ProcessSample {
  const { pid, group, connections, requests, qps, rssBytes, cpuPercent } = p;
  return { pid, group, connections, requests, qps, rssBytes, cpuPercent, lagSeconds: p.eventLoopLagSeconds };
}

/** `startedAt`: when the master started; it may spawn its workers before the store opens (their events are replayed after this one). */
export function startRecorder(store: MasterStore, source: RecorderSource, startedAt = Date.now()): Recorder {
  store.log.recordEvent(startedAt, { type: "master-started", pid: process.pid });
  store.maintain();
  const unsubscribe = source.subscribe((event) => store.log.recordEvent(Date.now(), event));
  const deltas = new TrafficDeltas(startedAt);
  const sample = (at = Date.now()) => {
    // Second-aligned, so per-second rows of different processes share a timestamp and buckets line up.
    const second = Math.floor(at / 1000) * 1000;
    const status = source.status();
    // A process that has not sent its first report yet shows zeros; rss is never 0 in a live process, so it marks one.
    const live = status.processes.flatMap((p) => (p.state !== "exited" && p.rssBytes > 0 && p.pid !== null ? [{ ...p, pid: p.pid }] : []));
    const groups = deltas.next(
      at,
      status.groups.map((g) => ({ group: g.name, responses: g.responses, handlerErrors: g.errors.handler, buckets: source.durations?.(g.name) ?? null })),
    );
    store.history.record(second, live.map(processSample), groups);
  };
  let ticks = 0;
  const timer = setInterval(() => {
    sample();
    if (++ticks % MAINTAIN_EVERY_TICKS === 0) store.maintain();
  }, SAMPLE_EVERY_MS);
  return {
    sample,
    stop() {
      clearInterval(timer);
      unsubscribe();
      store.log.recordEvent(Date.now(), { type: "master-stopped", pid: process.pid });
    },
  };
}

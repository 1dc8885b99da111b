// Feeds the store from the live master: a sample of every process and group each second, every supervisor event, retention each minute.
import type { ProcessCounters } from "../ipc.ts";
import type { StatusProcess } from "../master/status-records.ts";
import type { SupervisorEvent } from "../master/events.ts";
import type { MasterStore } from "./master-store.ts";
import type { ProcessSample } from "./metrics-history.ts";
import { TrafficDeltas } from "./traffic-deltas.ts";

export interface RecorderSource {
  /** The processes as /api/status shows them right now. */
  processes: () => StatusProcess[];
  /** Each live http process's duration histogram, per-bucket counts since it started, by pid (the status shows only percentiles). */
  durations?: () => ReadonlyMap<number, readonly number[]>;
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

/** The duration histogram counts of each process that reported one (http groups), by pid: the recorder's `durations`. */
export function durationsOf(processes: Iterable<{ readonly pid: number; readonly counters: ProcessCounters | null }>): Map<number, readonly number[]> {
  const out = new Map<number, readonly number[]>();
  for (const p of processes) {
    const counts = p.counters?.traffic?.http?.duration.counts;
    if (counts) out.set(p.pid, counts);
  }
  return out;
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
    // A process that has not sent its first report yet shows zeros; rss is never 0 in a live process, so it marks one.
    const live = source.processes().flatMap((p) => (p.state !== "exited" && p.rssBytes > 0 && p.pid !== null ? [{ ...p, pid: p.pid }] : []));
    const durations = source.durations?.() ?? new Map<number, readonly number[]>();
    const groups = deltas.next(
      at,
      live.map((p) => ({ pid: p.pid, group: p.group, responses: p.responses, handlerErrors: p.errors.handler, buckets: durations.get(p.pid) ?? null })),
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

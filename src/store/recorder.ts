// Feeds the store from the live master: a sample of every process each second, every supervisor event, retention each minute.
import type { StatusProcess } from "../master/status-records.ts";
import type { SupervisorEvent } from "../master/events.ts";
import type { MasterStore } from "./master-store.ts";

export interface RecorderSource {
  /** The processes as /api/status shows them right now. */
  processes: () => StatusProcess[];
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

/** `startedAt`: when the master started; it may spawn its workers before the store opens (their events are replayed after this one). */
export function startRecorder(store: MasterStore, source: RecorderSource, startedAt = Date.now()): Recorder {
  store.log.recordEvent(startedAt, { type: "master-started", pid: process.pid });
  store.maintain();
  const unsubscribe = source.subscribe((event) => store.log.recordEvent(Date.now(), event));
  const sample = (at = Date.now()) => {
    // Second-aligned, so per-second rows of different processes share a timestamp and buckets line up.
    const second = Math.floor(at / 1000) * 1000;
    const rows = source
      .processes()
      // A process that has not sent its first report yet shows zeros; rss is never 0 in a live process, so it marks one.
      .flatMap((p) => (p.state !== "exited" && p.rssBytes > 0 && p.pid !== null ? [{ ...p, pid: p.pid }] : []))
      .map((p) => ({
        pid: p.pid,
        group: p.group,
        connections: p.connections,
        requests: p.requests,
        qps: p.qps,
        rssBytes: p.rssBytes,
        cpuPercent: p.cpuPercent,
      }));
    store.history.record(second, rows);
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

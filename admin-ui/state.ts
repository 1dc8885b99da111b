// The dashboard's live picture of the master: the last status, merged with the live feed's once-a-second stats.
import { computed, signal } from "@preact/signals";
import type { LiveEvent, StatsTick, StatusGroup, StatusProcess, StatusResponse } from "../src/admin/contract.ts";
import { api } from "./api.ts";
import { rateUnit, type RateUnit } from "./rate-units.ts";
import { forgetTraffic, recordTraffic } from "./traffic-samples.ts";

export const status = signal<StatusResponse | null>(null);
export const lastTick = signal<StatsTick | null>(null);
/** "live" while the feed is open; "reconnecting" at the first retry after losing it; "offline" on later retries. */
export const feed = signal<"connecting" | "live" | "reconnecting" | "offline">("connecting");
/** Newest first, capped: the Events view and the reload progress read it. */
export const events = signal<LiveEvent[]>([]);
/** A clock for uptimes and "next run in", ticking once a second. */
export const now = signal(Date.now());

const EVENT_CAP = 500;

/** Status rows with the latest tick's numbers laid over them, so tables move every second without refetching. */
export const processes = computed<StatusProcess[]>(() => {
  const base = status.value?.processes ?? [];
  const tick = lastTick.value;
  if (!tick) return base;
  const live = new Map(tick.processes.map((p) => [p.pid, p]));
  return base.map((p) => {
    // pid null: a slot waiting to restart; the tick has no figures for it.
    const t = p.pid === null ? undefined : live.get(p.pid);
    // Every figure the tick carries replaces the status row's (a newer master may send more of them).
    return t ? { ...p, ...t } : p;
  });
});

/** Status groups with the latest tick's group figures (errors, latency, lag, codes) laid over them, as for processes. */
export const groups = computed<StatusGroup[]>(() => {
  const base = status.value?.groups ?? [];
  const live = new Map((lastTick.value?.groups ?? []).map((g) => [g.name, g]));
  return base.map((g) => ({ ...g, ...live.get(g.name) }));
});

const RATE_ORDER: RateUnit[] = ["req/s", "msg/s", "datagrams/s", "/s"];

export const totals = computed(() => {
  const list = processes.value;
  // Requests and messages are different things: one total per unit, never a sum of both.
  const rates = new Map<RateUnit, number>();
  // A slot waiting to restart has no process, so no rate (and no listener of its own to name a unit by).
  for (const p of list.filter((p) => p.pid !== null)) rates.set(rateUnit(p.listen), (rates.get(rateUnit(p.listen)) ?? 0) + p.qps);
  return {
    processes: list.filter((p) => p.pid !== null && p.state !== "exited").length,
    connections: list.reduce((sum, p) => sum + p.connections, 0),
    rates: RATE_ORDER.filter((unit) => rates.has(unit)).map((unit) => [unit, rates.get(unit)!] as const),
    rssBytes: list.reduce((sum, p) => sum + p.rssBytes, 0),
  };
});

let refreshing: Promise<void> | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let settleTimer: ReturnType<typeof setTimeout> | undefined;

export function refreshStatus(): Promise<void> {
  refreshing ??= api<StatusResponse>("/api/status")
    .then((s) => {
      status.value = s;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** Many lifecycle events arrive together during a reload: fold them into one status request. */
export function scheduleStatusRefresh(delayMs = 250): void {
  clearTimeout(refreshTimer);
  clearTimeout(settleTimer);
  refreshTimer = setTimeout(() => void refreshStatus().catch(() => undefined), delayMs);
  // Once more when the new processes have sent their first report (timers, restarts are not in the stats tick).
  settleTimer = setTimeout(() => void refreshStatus().catch(() => undefined), delayMs + 1500);
}

/**
 * Reads the status every `everyMs` while the page is visible. Only the App metrics panel asks for it while it shows:
 * worker.metrics values are not in the once-a-second tick (a handler may keep many). Everything else the page shows
 * comes with the tick (figures, errors, latency, lag, timers, and the master's link, store and IPC facts) or is read
 * again after a lifecycle event (restarts, new pids).
 */
export function startStatusRefresh(everyMs: number): () => void {
  const timer = setInterval(() => document.visibilityState === "visible" && void refreshStatus().catch(() => undefined), everyMs);
  return () => clearInterval(timer);
}

/** The tick's master facts laid over the status, replacing it only when one changed (every reader of `status` redraws). */
function applyMasterFacts(facts: NonNullable<StatsTick["master"]>): void {
  const s = status.value;
  if (!s) return;
  const next = { cluster: facts.cluster, storeError: facts.storeError, ipc: facts.ipc ?? s.ipc };
  if (JSON.stringify(next) === JSON.stringify({ cluster: s.cluster ?? null, storeError: s.master.storeError ?? null, ipc: s.ipc })) return;
  status.value = { ...s, cluster: next.cluster, master: { ...s.master, storeError: next.storeError }, ...(next.ipc ? { ipc: next.ipc } : {}) };
}

export function applyTick(tick: StatsTick): void {
  lastTick.value = tick;
  if (tick.master) applyMasterFacts(tick.master);
  if (tick.groups) recordTraffic(tick.groups, tick.at);
  // A pid the status has not seen yet (a restart we missed) needs its uptime, restarts and timers.
  const known = new Set(status.value?.processes.map((p) => p.pid));
  if (tick.processes.some((p) => !known.has(p.pid))) scheduleStatusRefresh();
}

export function pushEvent(event: LiveEvent): void {
  events.value = [event, ...events.value].slice(0, EVENT_CAP);
}

/** On logout or a lost session: the next login may reach another master (a restart), so nothing of this one may show. */
export function forgetMaster(): void {
  forgetTraffic();
  status.value = null;
  lastTick.value = null;
  events.value = [];
}

export function startClock(): () => void {
  const timer = setInterval(() => (now.value = Date.now()), 1000);
  return () => clearInterval(timer);
}

// Latency and status-code series per http group, sampled from the stats tick's group figures.
import { signal } from "@preact/signals";
import type { StatsTick } from "../src/admin/contract.ts";

interface GroupTraffic {
  p50: number | null;
  p99: number | null;
  /** Responses by status code since the group started (the master keeps exited processes' counts: never goes back). */
  responses: Record<string, number>;
}

export interface TrafficSample {
  /** unix ms */
  at: number;
  groups: Record<string, GroupTraffic>;
}

/** One column per series, uPlot's layout: x in seconds, then one column per series. */
export type Columns = [number[], ...(number | null)[][]];

export interface SeriesSet {
  names: string[];
  data: Columns;
}

const KEEP_MS = 5 * 60_000;
const kept: TrafficSample[] = [];
/** Bumped on every sample so the charts redraw. */
export const trafficVersion = signal(0);

/**
 * Workers report once a second and the tick is cut on the master's own second: a tick can see a process's report
 * twice or not at all, so one kept every 2 s smooths that out (a point closer than this to the last is not kept).
 */
export const MIN_SAMPLE_GAP_MS = 1500;

export function recordTraffic(groupFigures: StatsTick["groups"], at: number): void {
  const last = kept.at(-1);
  if (last && at - last.at < MIN_SAMPLE_GAP_MS && at >= last.at) return;
  const groups: Record<string, GroupTraffic> = {};
  for (const g of groupFigures) {
    if (!g.latency) continue;
    groups[g.name] = { p50: g.latency.p50, p99: g.latency.p99, responses: { ...g.responses } };
  }
  kept.push({ at, groups });
  while (kept.length > 0 && kept[0]!.at < at - KEEP_MS) kept.shift();
  trafficVersion.value++;
}

export function trafficSamples(): readonly TrafficSample[] {
  return kept;
}

/** On logout or another master: its samples must not show, and its counts must not be subtracted from the next one's. */
export function forgetTraffic(): void {
  kept.length = 0;
  trafficVersion.value++;
}

/** "web p50" and "web p99" for each group that has answered a request in the window. */
export function latencySeries(samples: readonly TrafficSample[]): SeriesSet {
  const groups = [...new Set(samples.flatMap((s) => Object.keys(s.groups).filter((g) => s.groups[g]!.p99 !== null)))];
  const names = groups.flatMap((g) => [`${g} p50`, `${g} p99`]);
  const columns = groups.flatMap((g) => [samples.map((s) => s.groups[g]?.p50 ?? null), samples.map((s) => s.groups[g]?.p99 ?? null)]);
  return { names, data: [samples.map((s) => s.at / 1000), ...columns] };
}

/**
 * Responses per second by group and status code ("web 200", "web 500"), between each sample and the one before.
 * A count that went back (another master) gives no point rather than a negative rate.
 */
export function statusCodeSeries(samples: readonly TrafficSample[]): SeriesSet {
  const pairs = new Map<string, [string, string]>();
  for (const s of samples) {
    for (const [group, g] of Object.entries(s.groups)) for (const code of Object.keys(g.responses)) pairs.set(`${group} ${code}`, [group, code]);
  }
  const names = [...pairs.keys()].sort();
  const later = samples.slice(1);
  const columns = names.map((name) => {
    const [group, code] = pairs.get(name)!;
    return later.map((s, i) => {
      const before = samples[i]!.groups[group];
      const now = s.groups[group];
      const seconds = (s.at - samples[i]!.at) / 1000;
      if (!before || !now || seconds <= 0) return null;
      const delta = (now.responses[code] ?? 0) - (before.responses[code] ?? 0);
      return delta < 0 ? null : delta / seconds;
    });
  });
  return { names, data: [later.map((s) => s.at / 1000), ...columns] };
}

/** Shades per class, so two groups' 500 lines differ while both read as errors. */
const SHADES: Record<string, string[]> = { "5": ["#d64545", "#9e2a2a", "#f08080"], "4": ["#b8a11e", "#8a6d1e", "#e2c75a"] };

/** Server errors in reds and client errors in ambers, whatever their place among the series; the rest from the palette. */
export function codeColors(names: readonly string[]): (string | undefined)[] {
  const used: Record<string, number> = {};
  return names.map((name) => {
    const shades = SHADES[name.charAt(name.lastIndexOf(" ") + 1)];
    if (!shades) return undefined;
    const i = (used[shades[0]!] = (used[shades[0]!] ?? -1) + 1);
    return shades[i % shades.length];
  });
}

// The live reads of each group's percentiles and status-code counts, kept 5 minutes from the stats ticks, and the code lines' colours.
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

// Round y-axis ticks ("nice numbers"): steps of 1, 2, 2.5 or 5 times a power of ten, in the unit the axis is read in.

const FACTORS = [1, 2, 2.5, 5, 10];
const WHOLE_FACTORS = [1, 2, 5, 10];
const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** Drops float noise (0.1 * 3 = 0.30000000000000004) so a tick's text is the number meant. */
const clean = (n: number) => Number.parseFloat(n.toPrecision(12));

/** The smallest nice step at least `raw`; with `integer`, a whole one (2.5 is skipped below 10). */
export function niceStep(raw: number, integer = false): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const factors = integer && power < 10 ? WHOLE_FACTORS : FACTORS;
  const factor = factors.find((f) => f * power >= raw * (1 - 1e-12)) ?? 10;
  const step = clean(factor * power);
  return integer ? Math.max(1, step) : step;
}

/** Ticks from 0 to the first multiple of a nice step that reaches `max`, in at most `count` steps. */
export function niceTicks(max: number, count: number, integer = false): { step: number; ticks: number[] } {
  if (!(max > 0) || !Number.isFinite(max)) return { step: 1, ticks: [0, 1] };
  const step = niceStep(max / Math.max(1, count), integer);
  const ticks: number[] = [];
  for (let i = 0; ticks.length === 0 || ticks.at(-1)! < max * (1 - 1e-12); i++) ticks.push(clean(i * step));
  return { step, ticks };
}

/** The binary unit an axis reaching `max` bytes is read in: the largest not above it. */
function byteUnit(max: number): number {
  return max >= 1 ? Math.min(UNITS.length - 1, Math.floor(Math.log2(max) / 10)) : 0;
}

/** Memory ticks round in KiB/MiB/GiB (25 / 50 / 75 MiB), where decimal steps of bytes read 23.8 / 47.7 / 71.5 MiB. */
export function byteTicks(max: number, count: number): number[] {
  const unit = 1024 ** byteUnit(max);
  return niceTicks(max / unit, count, unit === 1).ticks.map((t) => t * unit);
}

/** An axis label: "0", "512 KiB", "1.5 GiB" (no trailing ".0"; each tick in the unit that reads shortest). */
export function formatAxisBytes(n: number): string {
  if (n <= 0) return "0";
  const i = byteUnit(n);
  return `${clean(n / 1024 ** i)} ${UNITS[i]}`;
}

/** An axis label for a plain number: the tick as it is (0.25, not a rounded 0.3), with thousands separated. */
export function formatAxisNumber(n: number): string {
  return Math.abs(n) >= 1000 ? clean(n).toLocaleString("en") : String(clean(n));
}

/** An axis label for seconds: "0", "2.5 ms", "250 ms", "1.5 s" (ticks are nice numbers of seconds, so of ms too). */
export function formatAxisSeconds(n: number): string {
  if (n <= 0) return "0";
  return n < 1 ? `${clean(n * 1000)} ms` : `${clean(n)} s`;
}

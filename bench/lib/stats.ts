// Medians and the number formats the benchmark tables use.
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** 123456 -> "123.5k", 1234567 -> "1.23M". */
export function compact(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(0);
}

export function ratio(ours: number, raw: number): string {
  return Number.isFinite(ours / raw) ? `${(ours / raw).toFixed(2)}x` : "n/a";
}

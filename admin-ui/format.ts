// Turns the API's raw numbers into the short text an operator reads in a table cell.

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return "0 B";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  const i = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  const value = n / 1024 ** i;
  return `${value >= 100 || i === 0 ? Math.round(value) : value.toFixed(1)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Milliseconds as a timer interval: "500 ms", "10 s", "1.5 s". */
export function formatInterval(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

export function formatRate(n: number): string {
  if (!Number.isFinite(n)) return "0";
  return n >= 100 ? Math.round(n).toLocaleString("en") : (Math.round(n * 10) / 10).toString();
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en");
}

export function formatClock(at: number): string {
  const d = new Date(at);
  const pad = (x: number) => String(x).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDateTime(at: number): string {
  const d = new Date(at);
  return `${d.toISOString().slice(0, 10)} ${formatClock(at)}`;
}

/** "in 3s" / "3s ago", for a timer's next run or an event's age. */
export function formatRelative(at: number, now: number): string {
  const diff = at - now;
  return diff >= 0 ? `in ${formatDuration(diff)}` : `${formatDuration(-diff)} ago`;
}

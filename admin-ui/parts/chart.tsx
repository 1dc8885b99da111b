/** @jsxImportSource preact */
// A uPlot line chart that follows its container's width and the light/dark theme; data changes redraw, not rebuild.
import { signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { byteTicks, formatAxisBytes, formatAxisNumber, formatAxisSeconds, niceTicks } from "../axis-ticks.ts";
import { formatClock } from "../format.ts";

/** uPlot is half the page's script and only the Charts view needs it: loaded on first use, so first paint does not wait. */
let uplotModule: Promise<typeof uPlot> | undefined;
const loadUplot = () => (uplotModule ??= import("uplot").then((m) => m.default));

export const PALETTE = ["#2f6fde", "#e0702a", "#2a9d5c", "#c0399b", "#8a6de9", "#b8a11e", "#1aa3b8", "#d64545"];

interface Props {
  title: string;
  series: readonly string[];
  data: [number[], ...(number | null)[][]];
  format: (v: number) => string;
  /** How the y axis ticks: bytes round in KiB/MiB/GiB, seconds as ms or s, counts on whole numbers, anything else on nice decimals. */
  axis?: "bytes" | "seconds" | "count" | "number";
  /** A unit after each series' legend value ("req/s", "msg/s"), by series. */
  units?: readonly string[];
  /** A colour per series where the default palette's would mislead (a 5xx line in red); undefined keeps the palette's. */
  colors?: readonly (string | undefined)[];
}

/** Y ticks on a 200 px chart: about one every 40 px. */
const Y_TICKS = 4;

function yTicks(props: Props, max: number): number[] {
  if (props.axis === "bytes") return byteTicks(max, Y_TICKS);
  return niceTicks(max, Y_TICKS, props.axis === "count").ticks;
}

const formatTime = (seconds: number | null) => (seconds === null ? "–" : formatClock(seconds * 1000));

/** The newest value of a series: what its legend shows while the cursor is not on the chart. */
function lastValue(column: ArrayLike<number | null | undefined>): number | null {
  for (let i = column.length - 1; i >= 0; i--) if (column[i] != null) return column[i]!;
  return null;
}

/** Axis and grid colours are read from CSS once per chart: rebuild the charts when the system theme flips. */
const dark = matchMedia("(prefers-color-scheme: dark)");
const theme = signal(dark.matches);
dark.addEventListener("change", () => (theme.value = dark.matches));

function themeColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

/** The axis font, set here so that the spacing below is computed for the text that is drawn. */
export const AXIS_FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
/** Time ticks (seconds) uPlot may pick: whole seconds, minutes and hours only. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

const pad = (n: number) => String(n).padStart(2, "0");

/** One line per tick ("10:52", or "10:52:30" below a minute's step), never uPlot's default two-line date labels. */
export function timeLabel(seconds: number, stepSeconds: number): string {
  const d = new Date(seconds * 1000);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return stepSeconds < 60 ? `${hm}:${pad(d.getSeconds())}` : hm;
}

/** Pixels between x ticks: the widest label ("00:00:00") plus a gap, so labels never touch, at any width. */
function timeSpace(): number {
  const measure = document.createElement("canvas").getContext("2d");
  if (!measure) return 80;
  measure.font = AXIS_FONT;
  return Math.ceil(measure.measureText("00:00:00").width) + 20;
}

/** The drawn x labels with their centres (CSS px) and the y labels, kept on the figure for tests and for anyone inspecting the page. */
function recordLabels(u: uPlot): void {
  // A chart laid out in a hidden or collapsing box draws nothing visible: keep the last real picture.
  if (u.bbox.width <= 0) return;
  const ticks = (u.axes[0] as uPlot.Axis & { _splits?: number[]; _values?: string[] })._splits ?? [];
  const labels = (u.axes[0] as uPlot.Axis & { _values?: string[] })._values ?? [];
  const at = ticks.map((t, i) => ({ text: String(labels[i] ?? ""), x: Math.round(u.valToPos(t, "x")) }));
  // Distinct ticks at one position: a draw before the scale had its range (nothing readable was drawn).
  if (new Set(at.map((l) => l.x)).size < at.length) return;
  const figure = u.root.closest("figure");
  figure?.setAttribute("data-x-labels", JSON.stringify(at));
  figure?.setAttribute("data-y-labels", JSON.stringify((u.axes[1] as uPlot.Axis & { _values?: string[] })._values ?? []));
}

function options(props: Props, width: number): uPlot.Options {
  const axis = { stroke: themeColor("--muted"), grid: { stroke: themeColor("--grid"), width: 1 }, ticks: { stroke: themeColor("--grid") }, font: AXIS_FONT };
  const xAxis: uPlot.Axis = {
    ...axis,
    incrs: TIME_STEPS,
    space: timeSpace(),
    values: (_u, ticks, _axis, _space, step) => ticks.map((t) => timeLabel(t, step)),
  };
  return {
    width,
    height: 200,
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    // The top of the scale is the first round tick above the data, so the axis ends on a labelled line.
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, yTicks(props, max).at(-1)!] } },
    hooks: { draw: [recordLabels] },
    axes: [
      xAxis,
      {
        ...axis,
        size: 78,
        splits: (_u, _i, _min, max) => yTicks(props, max).filter((t) => t <= max),
        values: (_u, ticks) => ticks.map(props.axis === "bytes" ? formatAxisBytes : props.axis === "seconds" ? formatAxisSeconds : formatAxisNumber),
      },
    ],
    series: [
      // The legend's time: the hovered point's, or the newest one's.
      { value: (u: uPlot, v: number | null, _s: number, idx: number | null) => formatTime(idx === null ? lastValue(u.data[0] ?? []) : v) },
      ...props.series.map((name, i) => ({
        label: name,
        stroke: props.colors?.[i] ?? PALETTE[i % PALETTE.length],
        width: 2,
        points: { show: false },
        // Off the chart (no cursor) the legend shows each series' newest value instead of nothing.
        value: (u: uPlot, v: number | null, sidx: number, idx: number | null) => {
          const shown = idx === null ? lastValue(u.data[sidx] ?? []) : v;
          const unit = props.units?.[i];
          return shown === null ? "–" : unit ? `${props.format(shown)} ${unit}` : props.format(shown);
        },
      })),
    ],
  };
}

export function Chart(props: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const seriesKey = `${theme.value}\u0000${props.series.join("\u0000")}\u0000${props.colors?.join("\u0000") ?? ""}`;

  const latest = useRef(props.data);
  latest.current = props.data;

  // Rebuild only when the set of groups (the series) or the theme changes.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let chart: uPlot | undefined;
    let resize: ResizeObserver | undefined;
    let gone = false;
    void loadUplot().then((UPlot) => {
      if (gone) return;
      const made = new UPlot(options(props, el.clientWidth || 300), latest.current as uPlot.AlignedData, el);
      chart = plot.current = made;
      resize = new ResizeObserver(() => made.setSize({ width: el.clientWidth || 300, height: 200 }));
      resize.observe(el);
    });
    return () => {
      gone = true;
      resize?.disconnect();
      chart?.destroy();
      plot.current = null;
    };
  }, [seriesKey]);

  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data]);

  return (
    <figure class="chart" data-points={props.data[0].length}>
      <figcaption>{props.title}</figcaption>
      <div ref={box} class="chart-box" />
    </figure>
  );
}

// The `status` table: a row per process, a total row closing each group (as HAProxy's backend row), and one for all.
import type { StatusGroup, StatusProcess, StatusResponse } from "../admin/contract.ts";
import { formatBytes, renderTable } from "../table.ts";

/** Event-loop lag past this is marked "!": a handler holds its process's loop (the dashboard turns amber there too). */
export const LAG_MARK_SECONDS = 0.1;

export const PROCESS_HEADERS = [
  "pid",
  "group",
  "#",
  "gen",
  "state",
  "listen",
  "conns",
  "requests",
  "qps",
  "5xx/thrown",
  "p50",
  "p99",
  "lag",
  "send_fail",
  "timers",
  "memory",
  "cpu",
  "restarts",
];

type Cell = string | number;

/** Seconds as a person reads them: 0.42ms, 12ms, 1.20s; "-" for no figure. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "-";
  if (seconds >= 1) return `${seconds.toFixed(2)}s`;
  const ms = seconds * 1000;
  return `${ms < 10 ? ms.toFixed(2) : Math.round(ms)}ms`;
}

function lagText(seconds: number | null): string {
  return seconds !== null && seconds >= LAG_MARK_SECONDS ? `${formatSeconds(seconds)}!` : formatSeconds(seconds);
}

/** 5xx only means something for http:// groups; handler errors ("thrown") for every kind. */
function errorsText(errors: StatusProcess["errors"], http: boolean): string {
  return `${http ? errors.http5xx : "-"}/${errors.handler}`;
}

/** http:// and https:// groups answer with status codes, so their 5xx count means something. */
export function isHttp(listen: string): boolean {
  return listen.startsWith("http://") || listen.startsWith("https://");
}

/** One process's row: `status` and `status --cluster` (another instance's rows as it announced them) print the same columns. */
export function processRow(p: StatusProcess, http: boolean): Cell[] {
  // A process reports its counters a second after it starts: until then a 0 would be a claim, not a measurement.
  const seen = p.rssBytes > 0;
  const figure = (value: Cell) => (seen ? value : "-");
  return [
    p.pid ?? "-",
    p.group,
    p.index,
    p.generation,
    p.state,
    p.listen || "-",
    figure(p.connections),
    figure(p.requests),
    figure(p.qps),
    figure(errorsText(p.errors, http)),
    figure(formatSeconds(p.latency.p50)),
    figure(formatSeconds(p.latency.p99)),
    figure(lagText(p.eventLoopLagSeconds)),
    figure(p.sendFail),
    figure(p.timers),
    figure(formatBytes(p.rssBytes)),
    figure(`${p.cpuPercent}%`),
    p.restarts,
  ];
}

type Summed = "connections" | "requests" | "sendFail" | "timers" | "rssBytes" | "qps" | "cpuPercent" | "restarts";

function sum(processes: readonly StatusProcess[], key: Summed): number {
  return processes.reduce((total, p) => total + p[key], 0);
}

function memory(processes: readonly StatusProcess[]): string {
  return sum(processes, "rssBytes") > 0 ? formatBytes(sum(processes, "rssBytes")) : "-";
}

/** The group's own figures (its requests and errors keep what exited processes counted), its processes' sums beside. */
function groupRow(g: StatusGroup, processes: readonly StatusProcess[], http: boolean): Cell[] {
  const up = processes.filter((p) => p.state === "ready").length;
  return [
    "group",
    g.name,
    "",
    "",
    `${up}/${g.count} up`,
    "",
    sum(processes, "connections"),
    g.requests,
    Math.round(sum(processes, "qps") * 10) / 10,
    errorsText(g.errors, http),
    formatSeconds(g.latency.p50),
    formatSeconds(g.latency.p99),
    lagText(g.eventLoopLagSeconds),
    sum(processes, "sendFail"),
    sum(processes, "timers"),
    memory(processes),
    `${Math.round(sum(processes, "cpuPercent") * 10) / 10}%`,
    sum(processes, "restarts"),
  ];
}

function totalRow(processes: readonly StatusProcess[]): Cell[] {
  const figures = [sum(processes, "connections"), sum(processes, "requests"), Math.round(sum(processes, "qps"))];
  return [
    "total",
    `${processes.length} processes`,
    "",
    "",
    "",
    "",
    ...figures,
    "",
    "",
    "",
    "",
    sum(processes, "sendFail"),
    sum(processes, "timers"),
    memory(processes),
    "",
    "",
  ];
}

/** Each group's processes then its total row; processes of a group no longer in the config (draining) after them. */
export function statusTable(status: StatusResponse): string {
  const { processes, groups } = status;
  const rows: Cell[][] = [];
  for (const g of groups) {
    const own = processes.filter((p) => p.group === g.name);
    rows.push(...own.map((p) => processRow(p, isHttp(g.listen))), groupRow(g, own, isHttp(g.listen)));
  }
  const known = new Set(groups.map((g) => g.name));
  rows.push(...processes.filter((p) => !known.has(p.group)).map((p) => processRow(p, isHttp(p.listen))), totalRow(processes));
  const marked = processes.some((p) => (p.eventLoopLagSeconds ?? 0) >= LAG_MARK_SECONDS);
  const note = marked ? [`! event-loop lag past ${formatSeconds(LAG_MARK_SECONDS)}: a handler holds that process's loop (slow sync work)`] : [];
  return [renderTable(PROCESS_HEADERS, rows), ...note].join("\n");
}

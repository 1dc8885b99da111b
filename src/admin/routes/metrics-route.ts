// GET /metrics: every process's figures (memory and CPU read from /proc by the master, the rest from the workers' last IPC report) in Prometheus text format.
import { ipcDrops } from "../../master/ipc-drops.ts";
import type { SupervisorView } from "../../master/supervisor-interface.ts";
import type { ProcessCounters } from "../../ipc.ts";
import type { FamilyCount } from "../../store/rate-bound.ts";
import type { RouteDeps } from "../context.ts";
import { route, type RouteSpec } from "../route-spec.ts";
import type { StatusCluster } from "../contract.ts";
import type { AdminConnectionCounts } from "../admin-listener.ts";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus, type MetricFamily } from "../prometheus-text.ts";
import { trafficFamilies } from "../traffic-metrics.ts";
import { liveProcesses } from "../worker-queries.ts";

export function metricsRoute({ ctx, audit, feed, connections }: RouteDeps): RouteSpec[] {
  const metrics = route({
    method: "GET",
    path: "/metrics",
    summary: "Every process's figures in Prometheus text format (public with admin.metricsPublic)",
    auth: "metrics",
    ok: { status: 200, description: "Prometheus text exposition format 0.0.4", type: "text/plain" },
    handler: (c) => {
      const bounded = new Map([...ctx.events.counts(), ...audit.counts()]);
      const liveFeed: MetricFamily = {
        name: "workerman_live_feed_dropped_total",
        help: "Live-feed (/api/events) clients dropped for not reading.",
        type: "counter",
        samples: [{ value: feed.dropped }],
      };
      const families = [
        ...collect(ctx.supervisor),
        ...trafficFamilies(ctx.supervisor),
        ...boundedFamilies(bounded),
        liveFeed,
        ...adminFamilies(connections()),
        ...clusterFamilies(ctx.status().cluster),
        ipcDroppedFamily(),
      ];
      return c.body(renderPrometheus(families), 200, { "Content-Type": PROMETHEUS_CONTENT_TYPE });
    },
  });
  return [metrics];
}

function ipcDroppedFamily(): MetricFamily {
  const { dropped } = ipcDrops.status();
  return {
    name: "workerman_ipc_dropped_total",
    help: "IPC messages dropped past a queue's byte cap (to-worker: by the master; to-master: by the workers, as they reported).",
    type: "counter",
    samples: Object.entries(dropped).map(([direction, value]) => ({ labels: { direction }, value })),
  };
}

/** What a stranger can repeat (handler errors, refused logins): all of it counted here, only a bounded part stored and logged. */
function boundedFamilies(counts: Map<string, FamilyCount>): MetricFamily[] {
  const samples = (pick: (c: FamilyCount) => number) => [...counts].map(([kind, c]) => ({ labels: { kind }, value: pick(c) }));
  return [
    {
      name: "workerman_bounded_events_total",
      help: "Repeatable events seen (handler errors, refused secrets), whether stored or not.",
      type: "counter",
      samples: samples((c) => c.seen),
    },
    {
      name: "workerman_bounded_events_suppressed_total",
      help: 'Of those, the ones only a "N more like this" summary mentions.',
      type: "counter",
      samples: samples((c) => c.suppressed),
    },
  ];
}

/** The admin plane's own connections: capped by admin.maxConnections and the descriptor reserve. */
function adminFamilies(counts: AdminConnectionCounts | undefined): MetricFamily[] {
  if (!counts) return [];
  const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: "counter", samples: [{ value }] });
  return [
    { name: "workerman_admin_connections", help: "Open connections to the admin plane.", type: "gauge", samples: [{ value: counts.open }] },
    { name: "workerman_admin_connections_max", help: "The admin plane's connection cap in force.", type: "gauge", samples: [{ value: counts.max }] },
    counter("workerman_admin_connections_refused_total", "Admin connections refused at the cap (every open one busy or authenticated).", counts.refused),
    counter("workerman_admin_connections_evicted_total", "Idle unauthenticated admin connections closed to admit a new one.", counts.evicted),
    counter(
      "workerman_admin_connections_idle_closed_total",
      "Admin connections closed for idleness or a request head that did not arrive in time.",
      counts.idleClosed,
    ),
  ];
}

/** The Redis link, with cluster.redis: what waits for Redis is capped, and what the cap refused is counted here. */
function clusterFamilies(cluster: StatusCluster | null | undefined): MetricFamily[] {
  if (!cluster) return [];
  return [
    { name: "workerman_cluster_connected", help: "1 while the Redis link answers, else 0.", type: "gauge", samples: [{ value: cluster.connected ? 1 : 0 }] },
    {
      name: "workerman_cluster_instances",
      help: "Instances announced in Redis within the last 6 s, this one included (absent while the link is down).",
      type: "gauge",
      samples: cluster.instances == null ? [] : [{ value: cluster.instances }],
    },
    {
      name: "workerman_cluster_commands_refused_total",
      help: "Cluster commands addressed here and refused (unsigned, bad signature, replayed, outside the time window, commands off).",
      type: "counter",
      samples: Object.entries(cluster.commands?.refused ?? {}).map(([reason, value]) => ({ labels: { reason }, value })),
    },
    {
      name: "workerman_cluster_commands_accepted_total",
      help: "Signed cluster commands addressed here and accepted (reloads asked by other instances, and their replies).",
      type: "counter",
      samples: [{ value: cluster.commands?.accepted ?? 0 }],
    },
    {
      name: "workerman_cluster_pending_bytes",
      help: "Bytes handed to Redis and not yet answered (at most cluster.maxPendingBytes).",
      type: "gauge",
      samples: [{ value: cluster.pendingBytes }],
    },
    {
      name: "workerman_cluster_pending_refused_total",
      help: "Publishes and commands refused because cluster.maxPendingBytes was reached (cross-host messages dropped).",
      type: "counter",
      samples: [{ value: cluster.pendingRefused }],
    },
  ];
}

type Sample = MetricFamily["samples"][number];

/** One sample per process for each figure; the master is group "master". */
export function collect(supervisor: SupervisorView): MetricFamily[] {
  const procs = liveProcesses(supervisor);
  const per = (value: (c: NonNullable<(typeof procs)[number]["counters"]>) => number): Sample[] =>
    procs.filter((p) => p.counters).map((p) => ({ labels: { group: p.group, pid: p.pid }, value: value(p.counters!) }));
  // The master's /proc readings where it has them, so a stuck worker's figures still move.
  const os = (value: (p: (typeof procs)[number]) => number | undefined, fallback: (c: NonNullable<(typeof procs)[number]["counters"]>) => number): Sample[] =>
    procs.flatMap((p) => {
      const v = value(p) ?? (p.counters ? fallback(p.counters) : undefined);
      return v === undefined ? [] : [{ labels: { group: p.group, pid: p.pid }, value: v }];
    });
  const master = { group: "master", pid: process.pid };
  const cpu = process.cpuUsage();
  const restarts = new Map<string, number>();
  for (const slot of supervisor.slots) restarts.set(slot.group.name, (restarts.get(slot.group.name) ?? 0) + slot.restarts);
  return [
    {
      name: "process_resident_memory_bytes",
      help: "Resident memory size in bytes.",
      type: "gauge",
      samples: [
        { labels: master, value: process.memoryUsage.rss() },
        ...os(
          (p) => p.rssBytes,
          (c) => c.rssBytes,
        ),
      ],
    },
    {
      name: "process_cpu_seconds_total",
      help: "Total user and system CPU time spent in seconds.",
      type: "counter",
      samples: [
        { labels: master, value: (cpu.user + cpu.system) / 1e6 },
        ...os(
          (p) => (p.cpuMicros === undefined ? undefined : p.cpuMicros / 1e6),
          (c) => c.cpuMicros / 1e6,
        ),
      ],
    },
    { name: "workerman_connections", help: "Open connections of a worker process.", type: "gauge", samples: per((c) => c.connections) },
    { name: "workerman_requests_total", help: "Requests (http) or messages handed to the handler.", type: "counter", samples: per((c) => c.requests) },
    { name: "workerman_send_fail_total", help: "Sends that failed (closed connection or full send buffer).", type: "counter", samples: per((c) => c.sendFail) },
    ...inputAndLimitFamilies(procs, per),
    { name: "workerman_timers", help: "Active timers of a worker process.", type: "gauge", samples: per((c) => c.timers) },
    {
      name: "workerman_worker_restarts_total",
      help: "Restarts of a group's crashed workers.",
      type: "counter",
      samples: [...restarts].map(([group, value]) => ({ labels: { group }, value })),
    },
    { name: "workerman_reloads_total", help: "Reloads since the master started.", type: "counter", samples: [{ value: supervisor.reloads }] },
    {
      name: "workerman_up",
      help: "1 when the process is serving (the master, and workers that listen), else 0.",
      type: "gauge",
      samples: [{ labels: master, value: 1 }, ...procs.map((p) => ({ labels: { group: p.group, pid: p.pid }, value: p.state === "ready" ? 1 : 0 }))],
    },
  ];
}

/** Why a worker closed or refused connections: bad input, idleness, the input budget and the connection limits. */
function inputAndLimitFamilies(procs: ReturnType<typeof liveProcesses>, per: (value: (c: ProcessCounters) => number) => Sample[]): MetricFamily[] {
  return [
    {
      name: "workerman_protocol_errors_total",
      help: "Connections closed for malformed or oversized input.",
      type: "counter",
      samples: per((c) => c.protocolErrors),
    },
    {
      name: "workerman_idle_closed_total",
      help: "tcp:// and unix:// connections closed after idleTimeout seconds with no bytes either way.",
      type: "counter",
      samples: per((c) => c.idleClosed),
    },
    {
      name: "workerman_input_shed_total",
      help: "Connections or request bodies closed for holding the most input past maxBufferedInput.",
      type: "counter",
      samples: per((c) => c.inputShed ?? 0),
    },
    {
      name: "workerman_package_timeouts_total",
      help: "Connections whose partial packet or request body did not complete within packageTimeout.",
      type: "counter",
      samples: per((c) => c.packageTimeouts ?? 0),
    },
    {
      name: "workerman_connections_refused_total",
      help: "New connections closed at once: past maxConnections, or past maxConnectionsPerIp for their address.",
      type: "counter",
      samples: refused(procs),
    },
  ];
}

/** Per process and reason, so a dashboard can tell a flood from one address from a full process. */
function refused(procs: ReturnType<typeof liveProcesses>): Sample[] {
  return procs.flatMap((p) => {
    const c = p.counters;
    if (!c) return [];
    return [
      { labels: { group: p.group, pid: p.pid, reason: "maxConnections" }, value: c.refusedMaxConnections ?? 0 },
      { labels: { group: p.group, pid: p.pid, reason: "maxConnectionsPerIp" }, value: c.refusedMaxConnectionsPerIp ?? 0 },
    ];
  });
}

// GET /api/connections (every worker's connections, filtered and paged) and DELETE /api/connections/:pid/:id.
import { z } from "zod";
import type { WorkerGroupConfig } from "../../config/types.ts";
import type { ConnectionInfo } from "../../ipc.ts";
import type { WorkerView as WorkerProcess } from "../../master/supervisor-interface.ts";
import type { RouteDeps } from "../context.ts";
import type { ConnectionItem, ConnectionsResponse } from "../contract.ts";
import { connectionsResponse } from "../api-schemas.ts";
import { intQuery, readQuery } from "../query-params.ts";
import { route, type RouteSpec } from "../route-spec.ts";
import { actOnWorkerItem, checkGroup, gather, liveProcesses, processQuery } from "../worker-queries.ts";

const connectionsQuery = processQuery.extend({
  limit: intQuery("limit", 100, 1, 1000, "Rows per page"),
  offset: intQuery("offset", 0, 0, Number.MAX_SAFE_INTEGER, "Rows to skip"),
});

export function connectionRoutes({ ctx, audit }: RouteDeps): RouteSpec[] {
  const list = route({
    method: "GET",
    path: "/api/connections",
    summary: "Every worker process's connections (old generations too), filtered and paged; a process that does not answer is listed in errors",
    auth: "token",
    query: connectionsQuery,
    ok: { status: 200, description: "One page of connections and the total", schema: connectionsResponse },
    handler: async (c) => {
      const q = readQuery(c, connectionsQuery);
      checkGroup(ctx.config, q.group);
      const groups = new Map(ctx.config.workers.map((g) => [g.name, g]));
      const found = await gather<ConnectionInfo>(liveProcesses(ctx.supervisor, q), "connections");
      const items = found.rows.flatMap(({ proc, items }) => items.sort((a, b) => a.id - b.id).map((info) => toItem(proc, groups.get(proc.group), info)));
      const body: ConnectionsResponse = { total: items.length, items: items.slice(q.offset, q.offset + q.limit), errors: found.errors };
      return c.json(body);
    },
  });
  const close = route({
    method: "DELETE",
    path: "/api/connections/:pid/:id",
    summary: "Closes one connection of one worker process",
    auth: "token",
    params: { pid: z.int(), id: z.int() },
    ok: { status: 200, description: "Closed", schema: z.object({ pid: z.number(), id: z.number(), closed: z.literal(true) }) },
    refuses: ["E_NOT_FOUND"],
    handler: async (c) => {
      const { pid, id } = await actOnWorkerItem(c, { supervisor: ctx.supervisor, audit }, "close-connection", "connection");
      return c.json({ pid, id, closed: true as const });
    },
  });
  return [list, close];
}

function toItem(proc: WorkerProcess, group: WorkerGroupConfig | undefined, info: ConnectionInfo): ConnectionItem {
  const listen = group?.listen;
  const transport = listen?.scheme === "unix" ? "unix" : listen?.scheme === "udp" ? "udp" : group?.ssl ? "ssl" : "tcp";
  return {
    pid: proc.pid,
    id: info.id,
    group: proc.group,
    protocol: info.protocol,
    transport,
    remoteAddress: info.remoteAddress,
    remotePort: info.remotePort,
    localAddress: info.outbound ? "" : listen?.scheme === "unix" ? (listen.path ?? "") : (listen?.host ?? ""),
    localPort: info.localPort,
    bytesRead: info.bytesRead,
    bytesWritten: info.bytesWritten,
    pendingSendBytes: info.pendingSendBytes,
    openedAt: info.openedAt,
    state: proc.state === "draining" ? "DRAINING" : "ESTABLISHED",
    outbound: info.outbound === true,
  };
}

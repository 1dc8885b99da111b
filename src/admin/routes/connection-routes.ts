// GET /api/connections (every worker's connections, filtered and paged) and DELETE /api/connections/:pid/:id.
import type { Hono } from "hono";
import type { WorkerGroupConfig } from "../../config/types.ts";
import type { ConnectionInfo } from "../../ipc.ts";
import type { WorkerProcess } from "../../master/worker-process.ts";
import type { AdminEnv, RouteDeps } from "../context.ts";
import type { ConnectionItem, ConnectionsResponse } from "../contract.ts";
import { intParam } from "../query-params.ts";
import { checkGroup, findWorker, gather, liveProcesses } from "../worker-queries.ts";
import { AppError } from "../../errors.ts";

export function connectionRoutes(app: Hono<AdminEnv>, { ctx, audit }: RouteDeps): void {
  app.get("/api/connections", async (c) => {
    const q = c.req.query();
    checkGroup(ctx.config, q.group);
    const pid = q.pid === undefined ? undefined : intParam(q.pid, "pid", 0, 1, 2 ** 31);
    const limit = intParam(q.limit, "limit", 100, 1, 1000);
    const offset = intParam(q.offset, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
    const groups = new Map(ctx.config.workers.map((g) => [g.name, g]));
    const found = await gather<ConnectionInfo>(liveProcesses(ctx.supervisor, { group: q.group, pid }), "connections");
    const items = found.rows.flatMap(({ proc, items }) => items.sort((a, b) => a.id - b.id).map((info) => toItem(proc, groups.get(proc.group), info)));
    const body: ConnectionsResponse = { total: items.length, items: items.slice(offset, offset + limit), errors: found.errors };
    return c.json(body);
  });

  app.delete("/api/connections/:pid/:id", async (c) => {
    const pid = Number(c.req.param("pid"));
    const id = Number(c.req.param("id"));
    const target = `${pid}/${c.req.param("id")}`;
    const proc = findWorker(ctx.supervisor, pid);
    if (!proc || !Number.isInteger(id)) {
      audit(c, { action: "close-connection", target, result: "refused: no such worker process" });
      throw new AppError("E_NOT_FOUND", `no worker process ${c.req.param("pid")} (see GET /api/status)`);
    }
    const reply = await proc.request({ type: "close-connection", id });
    audit(c, { action: "close-connection", target, result: reply.ok ? "ok" : `refused: ${reply.error}` });
    if (!reply.ok) throw new AppError("E_NOT_FOUND", reply.error ?? `no connection ${id} in process ${pid}`);
    return c.json({ pid, id, closed: true });
  });
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

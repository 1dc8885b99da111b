// GET /api/timers (every worker's timers) and DELETE /api/timers/:pid/:id.
import { z } from "zod";
import type { TimerInfo } from "../../ipc.ts";
import type { RouteDeps } from "../context.ts";
import type { ListResponse, TimerItem } from "../contract.ts";
import { timerList } from "../api-schemas.ts";
import { readQuery } from "../query-params.ts";
import { route, type RouteSpec } from "../route-spec.ts";
import { actOnWorkerItem, checkGroup, gather, liveProcesses, processQuery } from "../worker-queries.ts";

export function timerRoutes({ ctx, audit }: RouteDeps): RouteSpec[] {
  const list = route({
    method: "GET",
    path: "/api/timers",
    summary: "Every worker process's timers (old generations too); a process that does not answer is listed in errors",
    auth: "token",
    query: processQuery,
    ok: { status: 200, description: "Timers", schema: timerList },
    handler: async (c) => {
      const q = readQuery(c, processQuery);
      checkGroup(ctx.config, q.group);
      const found = await gather<TimerInfo>(liveProcesses(ctx.supervisor, q), "timers");
      const items: TimerItem[] = found.rows.flatMap(({ proc, items }) =>
        items
          .sort((a, b) => a.id - b.id)
          .map((t) => ({ pid: proc.pid, group: proc.group, id: t.id, intervalMs: t.intervalMs, persistent: t.persistent, runs: t.runs, nextAt: t.nextAt })),
      );
      const body: ListResponse<TimerItem> = { items, errors: found.errors };
      return c.json(body);
    },
  });
  const remove = route({
    method: "DELETE",
    path: "/api/timers/:pid/:id",
    summary: "Deletes one timer of one worker process (its code is not told)",
    auth: "token",
    params: { pid: z.int(), id: z.int() },
    ok: { status: 200, description: "Deleted", schema: z.object({ pid: z.number(), id: z.number(), deleted: z.literal(true) }) },
    refuses: ["E_NOT_FOUND"],
    handler: async (c) => {
      const { pid, id } = await actOnWorkerItem(c, { supervisor: ctx.supervisor, audit }, "delete-timer", "timer");
      return c.json({ pid, id, deleted: true as const });
    },
  });
  return [list, remove];
}

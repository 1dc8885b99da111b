// POST /api/reload (re-reads app.json and starts a gated reload), GET /api/reloads and /api/reloads/:id to follow it.
import { z } from "zod";
import { AppError, isAppError } from "../../errors.ts";
import type { RouteDeps } from "../context.ts";
import type { ListResponse, ReloadRecord } from "../contract.ts";
import { listOf, reloadRecord } from "../api-schemas.ts";
import { readJsonBody } from "../json-body.ts";
import { route, type RouteSpec } from "../route-spec.ts";

const reloadBody = z.strictObject({
  group: z.string().optional().describe("Only this group (default: every group whose config changed)"),
  graceful: z.boolean().optional().describe("Old processes finish their connections instead of a drain deadline"),
});

export function reloadRoutes({ ctx, audit }: RouteDeps): RouteSpec[] {
  const reload = route({
    method: "POST",
    path: "/api/reload",
    summary: "Re-reads app.json and starts the gated reload it calls for; follow it with GET /api/reloads/:id",
    auth: "token",
    body: reloadBody,
    ok: { status: 202, description: "The reload record as it starts", schema: reloadRecord },
    refuses: ["E_USAGE", "E_CONFLICT", "E_CONFIG", "E_LISTEN"],
    handler: async (c) => {
      const body = await readJsonBody(c, reloadBody);
      const graceful = body.graceful === true;
      const target = body.group ?? "all";
      try {
        const { record } = await ctx.reload({ group: body.group, graceful, who: c.get("auth") });
        const detail = { generation: record.generation, groups: record.groups.map((g) => g.name), graceful };
        audit(c, { action: "reload", target, result: "ok", detail });
        return c.json(record satisfies ReloadRecord, 202);
      } catch (err) {
        // Answered by app.ts with its code's status: an app.json that does not validate, or an address another process
        // holds, is 422 with the field named (nothing changed); one under way is 409.
        if (isAppError(err)) audit(c, { action: "reload", target, result: `refused: ${err.toString()}` });
        throw err;
      }
    },
  });
  const list = route({
    method: "GET",
    path: "/api/reloads",
    summary: "The last 20 reloads, newest first",
    auth: "token",
    ok: { status: 200, description: "Reload records", schema: listOf(reloadRecord) },
    handler: (c) => c.json({ items: [...ctx.supervisor.reloadRecords.values()].reverse(), errors: [] } satisfies ListResponse<ReloadRecord>),
  });
  const one = route({
    method: "GET",
    path: "/api/reloads/:id",
    summary: "One reload as it progresses: its state, and each group's phase, probation and reason",
    auth: "token",
    params: { id: z.int() },
    ok: { status: 200, description: "The reload record", schema: reloadRecord },
    refuses: ["E_NOT_FOUND"],
    handler: (c) => {
      const record = ctx.supervisor.reloadRecords.get(Number(c.req.param("id")));
      if (!record) throw new AppError("E_NOT_FOUND", `no reload ${c.req.param("id")} (the master keeps the last 20)`);
      return c.json(record satisfies ReloadRecord);
    },
  });
  return [reload, list, one];
}

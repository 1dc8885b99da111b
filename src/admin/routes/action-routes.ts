// The master's process actions: POST /api/groups/:name/retry, POST /api/processes/:pid/restart (its own file), POST /api/stop (needs {"confirm": true}).
import { z } from "zod";
import { AppError, isAppError } from "../../errors.ts";
import type { RouteDeps } from "../context.ts";
import { readJsonBody } from "../json-body.ts";
import { route, type RouteSpec } from "../route-spec.ts";
import { processRestartRoute } from "./process-restart-route.ts";

const emptyBody = z.strictObject({});
const stopBody = z.strictObject({
  confirm: z.literal(true, 'stopping the master ends every worker: send {"confirm": true}'),
  graceful: z.boolean().optional().describe("Workers finish their connections first (as SIGQUIT)"),
});

export function actionRoutes(deps: RouteDeps): RouteSpec[] {
  return [retryRoute(deps), processRestartRoute(deps), stopRoute(deps)];
}

function retryRoute({ ctx, audit }: RouteDeps): RouteSpec {
  return route({
    method: "POST",
    path: "/api/groups/:name/retry",
    summary: "Starts now the group's processes waiting in backoff or crashloop",
    auth: "token",
    body: emptyBody,
    ok: { status: 202, description: "The slots retried", schema: z.object({ group: z.string(), slots: z.number() }) },
    refuses: ["E_NOT_FOUND"],
    handler: async (c) => {
      await readJsonBody(c, emptyBody);
      const group = c.req.param("name");
      try {
        const slots = ctx.supervisor.retry(group);
        audit(c, { action: "retry", target: group, result: "ok", detail: { slots } });
        return c.json({ group, slots }, 202);
      } catch (err) {
        if (!isAppError(err)) throw err;
        audit(c, { action: "retry", target: group, result: `refused: ${err.message}` });
        throw new AppError("E_NOT_FOUND", err.message, { cause: err });
      }
    },
  });
}

function stopRoute({ ctx, audit }: RouteDeps): RouteSpec {
  return route({
    method: "POST",
    path: "/api/stop",
    summary: "Stops the master and every worker (as SIGTERM, or SIGQUIT when graceful)",
    auth: "token",
    body: stopBody,
    ok: { status: 202, description: "Stopping", schema: z.object({ stopping: z.literal(true), graceful: z.boolean() }) },
    handler: async (c) => {
      const body = await readJsonBody(c, stopBody).catch((err: unknown) => {
        audit(c, { action: "stop", target: "master", result: "refused: no confirm" });
        throw err;
      });
      const graceful = body.graceful === true;
      audit(c, { action: "stop", target: "master", result: "ok", detail: { graceful } });
      // Answer first: the stop closes this server.
      setTimeout(() => ctx.requestStop(graceful), 20);
      return c.json({ stopping: true as const, graceful }, 202);
    },
  });
}

// Imports the user's handler module and checks that its default export is an App.
import { AppError } from "../errors.ts";
import type { WorkerGroupConfig } from "../config/types.ts";
import { routeProblem } from "./native-routes.ts";
import type { App } from "./types.ts";

const CALLBACKS = [
  "onWorkerStart",
  "onWorkerStop",
  "onWorkerReload",
  "onHealthCheck",
  "onConnect",
  "onMessage",
  "onClose",
  "onError",
  "onBufferFull",
  "onBufferDrain",
  "onWebSocketConnect",
  "onGroupMessage",
  "fetch",
] as const;

/** A throw at import is E_HANDLER (the master backs off and retries); a wrong shape is E_CONFIG (fix the file). */
export async function loadHandler(group: WorkerGroupConfig): Promise<App> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(group.handler);
  } catch (err) {
    throw new AppError("E_HANDLER", `handler ${group.handler} threw while loading: ${(err as Error)?.message ?? err}`, {
      cause: err,
      field: `workers.${group.name}.handler`,
    });
  }
  const app = mod.default;
  const field = `workers.${group.name}.handler`;
  if (app === null || typeof app !== "object") {
    throw new AppError("E_CONFIG", `${group.handler} has no default export object: add \`export default { onMessage(conn, data) { ... } } satisfies App\``, {
      field,
    });
  }
  for (const name of CALLBACKS) {
    const value = (app as Record<string, unknown>)[name];
    if (value !== undefined && typeof value !== "function") {
      throw new AppError("E_CONFIG", `${group.handler}: default export's ${name} must be a function, got ${typeof value}`, { field });
    }
  }
  const { scheme } = group.listen;
  const routes = (app as App).routes;
  const problem = routes === undefined ? null : scheme === "http" ? routeProblem(routes) : `routes are served by http:// groups only, not ${scheme}://`;
  if (problem) throw new AppError("E_CONFIG", `${group.handler}: ${problem}`, { field });
  if (scheme === "http" && !(app as App).fetch && !routes && !group.static) {
    throw new AppError("E_CONFIG", `http:// group "${group.name}" needs a fetch(request) or routes export in ${group.handler}, or a "static" folder`, {
      field,
    });
  }
  return app as App;
}

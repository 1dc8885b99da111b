// Starts the admin plane's HTTP server in the master, connects its live feed, and says where it listens.
import { isLoopbackHost } from "../config/listen-url.ts";
import { AppError } from "../errors.ts";
import { adminConnectionBudget } from "../master/descriptor-reserve.ts";
import { listenAdmin, type AdminListener } from "./admin-listener.ts";
import { busyMessage, portHolderSync } from "../master/port-check.ts";
import { createAdminApp } from "./app.ts";
import { auditor } from "./audit.ts";
import type { AdminContext } from "./context.ts";
import { feedFromMaster, LiveFeed } from "./live-feed.ts";
import { statusBody } from "./routes/status-routes.ts";

export interface AdminPlane {
  url: string;
  stop: () => void;
}

export interface AdminPlaneOptions {
  /** restart: the old master still listens on admin.listen, so the port is shared with it instead of refused. */
  sharePort?: boolean;
}

/**
 * The listener is our own HTTP/1.1 over Bun.listen, not Bun.serve: Bun.serve offers no way to count, cap or pick
 * the connections it holds, and a keep-alive flood took the master to its descriptor limit (then it could not
 * spawn a worker). It has SO_REUSEPORT so that on restart the new master binds the same admin port while the old one
 * still holds it (measured on a fixed admin port: 300 of 300 /healthz requests answered across a restart -d).
 * The other way, "the old master closes, then the new one binds", refuses whatever arrives in the gap, and
 * cannot be undone when the new master then fails: the old one would have to win its port back. The old master
 * closes its admin listener first when it is replaced, so requests reach the new one from then on. A start that
 * is not a restart still refuses a port in use: it probes with a plain bind, which a reusePort socket refuses.
 */
export function startAdminPlane(ctx: AdminContext, options: AdminPlaneOptions = {}): AdminPlane {
  const { host, port, allowRemote } = ctx.config.admin;
  // The config loader refuses this too; checked again here so no other path can open the admin plane to the network by accident.
  if (!isLoopbackHost(host) && !allowRemote) {
    throw new AppError("E_CONFIG", `host "${host}" is reachable from other machines: set "admin": { "allowRemote": true } to allow it`, {
      field: "admin.listen",
    });
  }
  const feed = new LiveFeed();
  let boundPort = port;
  const audit = auditor(ctx, feed);
  let server: AdminListener | undefined;
  const app = createAdminApp(ctx, { port: () => boundPort, feed, audit, connections: () => server?.counts });
  const budget = adminConnectionBudget(ctx.config.admin.maxConnections ?? 256, workerProcesses(ctx));
  if (budget.maxConnections < (ctx.config.admin.maxConnections ?? 256)) {
    console.warn(
      `warning: the admin plane accepts at most ${budget.maxConnections} connections: the open-files limit is ${budget.openFilesLimit} and ${budget.reserve} are kept to spawn workers, log and answer the CLI (raise it with ulimit -n)`,
    );
  }
  try {
    if (port !== 0 && !options.sharePort) Bun.listen({ hostname: host, port, socket: { data() {} } }).stop(true);
    server = listenAdmin({ hostname: host, port, maxConnections: budget.maxConnections, fetch: app.fetch });
  } catch (err) {
    const hint = options.sharePort ? " (a running master from before restart handover does not share it: stop it, then start)" : "";
    const inUse = (err as NodeJS.ErrnoException).code === "EADDRINUSE" && port !== 0 && !options.sharePort;
    const holder = inUse ? portHolderSync("tcp", [host], port) : null;
    if (holder) throw new AppError("E_LISTEN", `admin plane cannot listen: ${busyMessage(host, port, holder)}`, { field: "admin.listen" });
    throw new AppError("E_LISTEN", `admin plane cannot listen on ${host}:${port}: ${(err as Error).message}${hint}`, { field: "admin.listen" });
  }
  boundPort = server.port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${boundPort}`;
  if (!isLoopbackHost(host)) {
    console.warn(
      `warning: the admin plane listens on ${url}, reachable from other machines (admin.allowRemote): protect the token, and put TLS in front of it`,
    );
  }
  const unfeed = feedFromMaster(feed, { subscribe: (listener) => ctx.events.on(listener), status: () => statusBody(ctx) });
  return {
    url,
    stop: () => {
      unfeed();
      server?.stop();
      audit.stop();
    },
  };
}

/** Worker processes the config asks for, which the descriptor reserve must cover. */
function workerProcesses(ctx: AdminContext): number {
  return ctx.config.workers.reduce((sum, group) => sum + group.count, 0);
}

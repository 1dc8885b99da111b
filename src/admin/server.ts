// Starts the admin plane's HTTP server in the master, connects its live feed, and says where it listens.
import { isLoopbackHost } from "../config/listen-url.ts";
import { AppError } from "../errors.ts";
import { createAdminApp } from "./app.ts";
import { auditor } from "./audit.ts";
import type { AdminContext } from "./context.ts";
import { feedFromMaster, LiveFeed } from "./live-feed.ts";

export interface AdminPlane {
  url: string;
  stop: () => void;
}

export function startAdminPlane(ctx: AdminContext): AdminPlane {
  const { host, port, allowRemote } = ctx.config.admin;
  // The config loader refuses this too; checked again here so no other path can open the admin plane to the network by accident.
  if (!isLoopbackHost(host) && !allowRemote) {
    throw new AppError("E_CONFIG", `host "${host}" is reachable from other machines: set "admin": { "allowRemote": true } to allow it`, { field: "admin.listen" });
  }
  const feed = new LiveFeed();
  let boundPort = port;
  const audit = auditor(ctx, feed);
  const app = createAdminApp(ctx, { port: () => boundPort, feed, audit });
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({ hostname: host, port, fetch: app.fetch });
  } catch (err) {
    throw new AppError("E_LISTEN", `admin plane cannot listen on ${host}:${port}: ${(err as Error).message}`, { field: "admin.listen" });
  }
  boundPort = server.port ?? port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${boundPort}`;
  if (!isLoopbackHost(host)) {
    console.warn(`warning: the admin plane listens on ${url}, reachable from other machines (admin.allowRemote): protect the token, and put TLS in front of it`);
  }
  const unfeed = feedFromMaster(feed, { subscribe: (listener) => ctx.events.on(listener), processes: () => ctx.status().processes });
  return {
    url,
    stop: () => {
      unfeed();
      server.stop(true);
      audit.stop();
    },
  };
}

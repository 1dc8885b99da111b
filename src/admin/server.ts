// Starts the admin plane's HTTP server in the master and says where it listens.
import { AppError } from "../errors.ts";
import { createAdminApp } from "./app.ts";
import type { AdminContext } from "./context.ts";

export interface AdminPlane {
  url: string;
  stop: () => void;
}

export function startAdminPlane(ctx: AdminContext): AdminPlane {
  const { host, port } = ctx.config.admin;
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({ hostname: host, port, fetch: createAdminApp(ctx).fetch });
  } catch (err) {
    throw new AppError("E_LISTEN", `admin plane cannot listen on ${host}:${port}: ${(err as Error).message}`, { field: "admin.listen" });
  }
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${server.port}`,
    stop: () => server.stop(true),
  };
}

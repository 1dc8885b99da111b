// What the admin plane may see and do in the master: the one seam between src/admin and src/master.
import type { ChannelRelay } from "../channel/master/relay.ts";
import type { ClusterPlane } from "../cluster/cluster-plane.ts";
import type { AppConfig } from "../config/types.ts";
import type { EventGate } from "../master/event-gate.ts";
import type { ConfigReloadOptions } from "../master/config-reload.ts";
import type { AdminSupervisor } from "../master/supervisor-interface.ts";
import type { ReloadHandle } from "../master/supervisor-options.ts";
import type { RecentLog } from "../master/recent-log.ts";
import type { MasterStore } from "../store/master-store.ts";
import type { AdminConnectionCounts } from "./admin-listener.ts";
import type { Audit } from "./audit.ts";
import type { StatusResponse } from "./contract.ts";
import type { LiveFeed } from "./live-feed.ts";

// Hono's env type lives in a leaf (admin-env.ts) so the files this context names (audit, the listener) need not import it back.
export type { AdminEnv, AuthKind } from "./admin-env.ts";

export interface AdminContext {
  config: AppConfig;
  supervisor: AdminSupervisor;
  /** Supervisor events as the log, store and feed see them: repeated kinds bounded, with counts of everything. */
  events: EventGate;
  token: string;
  status: () => StatusResponse;
  /** Re-reads app.json and starts the gated reload it calls for; throws E_CONFIG (invalid file) or E_USAGE. */
  reload: (options: ConfigReloadOptions) => Promise<ReloadHandle>;
  /** Asks the master to stop (as SIGTERM, or SIGQUIT when graceful). */
  requestStop: (graceful: boolean) => void;
  /** History, event log and audit; works (as a no-op) even when the database could not open. */
  store: MasterStore;
  /** The channel relay (POST /api/push); absent in tests that build a context by hand. */
  channel?: Pick<ChannelRelay, "push" | "rules">;
  /** The instances joined by cluster.redis (GET /api/cluster); absent in tests that build a context by hand. */
  cluster?: Pick<ClusterPlane, "view" | "commands" | "self">;
  /** The master's recent log lines (GET /api/logs); absent in tests that build a context by hand. */
  logs?: RecentLog;
}

/** What every group of routes is built with. */
export interface RouteDeps {
  ctx: AdminContext;
  feed: LiveFeed;
  audit: Audit;
  /** The admin listener's connection figures (undefined before it listens, or in tests without one). */
  connections: () => AdminConnectionCounts | undefined;
}

// The master's parts its workers do not wait for: the store (bun:sqlite) with its recorder and config history, the admin token and plane (Hono, the dashboard).
// master.ts loads this module with import() once the workers are spawned, so they boot while it loads (bench/cold-start-phases.ts measures both).
import type { AdminContext } from "../admin/context.ts";
import { startAdminPlane, type AdminPlane } from "../admin/server.ts";
import { ensureToken } from "../admin/token.ts";
import type { AppConfig } from "../config/types.ts";
import { openStore, type MasterStore } from "../store/master-store.ts";
import { startRecorder, type Recorder } from "../store/recorder.ts";
import { traceStart } from "../start-trace.ts";
import type { EventListener, SupervisorEvent } from "./events.ts";
import type { ProcessSource } from "./supervisor-interface.ts";
import { trafficTotals } from "./traffic-totals.ts";

// master.ts builds the admin plane's context; it reads the type here, so this file stays the one in src/master/ that imports src/admin/.
export type { AdminContext };

/** What the master has opened so far: its shutdown closes whichever of these exist, so a start failing half-way leaves nothing open. */
export interface Planes {
  store?: MasterStore;
  recorder?: Recorder;
  admin?: AdminPlane;
}

export interface EarlyEvent {
  at: number;
  event: SupervisorEvent;
}

export interface PlaneInputs {
  /** The config the master starts with (port 0 resolved). */
  config: AppConfig;
  startedAt: number;
  restart: boolean;
  /** What the admin plane sees of the master, given the store and the token opened here. */
  context: (store: MasterStore, token: string) => AdminContext;
  /** The processes as /api/status shows them, for the recorder's samples. */
  status: AdminContext["status"];
  /** For the groups' latency histograms, which the status shows only as percentiles. */
  supervisor: ProcessSource;
  /** Events the gate passed before the store opened, oldest first, and the call that stops collecting them. */
  early: EarlyEvent[];
  stopCollecting: () => void;
  subscribe: (listener: EventListener) => () => void;
}

/** Opens the store, records the start (with the events that came before it), then the admin plane; fills `planes` as it goes. */
export function openPlanes(inputs: PlaneInputs, planes: Planes): { adminUrl: string; tokenPath: string; tokenCreated: boolean } {
  const { config } = inputs;
  // A store that cannot open only reports it (store.available): the master serves without one.
  const store = (planes.store = openStore(config.dataDir, config.store));
  traceStart("master", "store opened");
  const durations = (group: string) => trafficTotals(inputs.supervisor).group(group).duration?.counts ?? null;
  planes.recorder = startRecorder(store, { status: inputs.status, durations, subscribe: inputs.subscribe }, inputs.startedAt);
  // Synchronous with the recorder's subscription above: no event falls between the collected ones and the live ones.
  inputs.stopCollecting();
  for (const { at, event } of inputs.early) store.log.recordEvent(at, event);
  store.configs.record(config, inputs.restart ? "restart" : "start");
  traceStart("master", "start recorded, config history written");
  const token = ensureToken(config);
  planes.admin = startAdminPlane(inputs.context(store, token.token), { sharePort: inputs.restart });
  traceStart("master", "admin plane listening");
  return { adminUrl: planes.admin.url, tokenPath: token.path, tokenCreated: token.created };
}

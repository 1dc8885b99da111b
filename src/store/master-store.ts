// The store as the master uses it: history, event log and audit behind one handle, with retention applied.
import type { StoreHealth } from "./records.ts";
import type { StoreConfig } from "../config/types.ts";
import { ConfigHistory } from "./config-history.ts";
import { EventLog } from "./event-log.ts";
import { MetricsHistory } from "./metrics-history.ts";
import { StoreConnection, storePath } from "./store.ts";

export interface MasterStore {
  readonly path: string;
  readonly history: MetricsHistory;
  readonly log: EventLog;
  /** Every applied config (start, reload), the last few kept. */
  readonly configs: ConfigHistory;
  /** false when the database could not be opened: routes answer 503, the master serves on. */
  readonly available: boolean;
  /** null while every store operation has succeeded. */
  health(): StoreHealth | null;
  /** Applies retention: folds old per-second samples into minutes, drops what is past its keep time. */
  maintain(now?: number): void;
  close(): void;
}

/** Never throws: a store that cannot open reports it through health() and does nothing. */
export function openStore(dataDir: string, retention: StoreConfig, log?: (line: string) => void): MasterStore {
  const conn = new StoreConnection(storePath(dataDir), log);
  const history = new MetricsHistory(conn);
  const events = new EventLog(conn);
  return {
    path: conn.path,
    history,
    log: events,
    configs: new ConfigHistory(conn),
    get available() {
      return conn.available;
    },
    health: () => conn.health(),
    maintain(now = Date.now()) {
      history.downsample(now - retention.keepSecondSamples * 1000, now - retention.keepMinuteSamples * 1000);
      events.prune(now - retention.keepEvents * 1000);
    },
    close: () => conn.close(),
  };
}

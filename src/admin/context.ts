// What the admin plane may see and do in the master: the one seam between src/admin and src/master.
import type { AppConfig } from "../config/types.ts";
import type { Supervisor } from "../master/supervisor.ts";
import type { StatusResponse } from "./contract.ts";

export interface AdminContext {
  config: AppConfig;
  supervisor: Supervisor;
  token: string;
  status: () => StatusResponse;
  /** Asks the master to stop (as SIGTERM, or SIGQUIT when graceful). */
  requestStop: (graceful: boolean) => void;
}

// The chaos run's model of probation: a worker killed while its group is on probation rolls the group back to the previous code and count, as it should.
import type { StatusResponse } from "../../src/admin/contract.ts";
import { HANDLER, type ChaosState, type Deployed } from "./chaos-state.ts";

/** After a good reload or count change returned: its probation may roll it back from now on. */
export async function deployed(state: ChaosState, previous: Deployed["previous"]): Promise<void> {
  const id = (await state.app.status()).lastReload?.id;
  state.deployed = id === undefined ? undefined : { id, previous };
}

/** When the last deploy's probation rolled back (a kill of a new process), the previous code and count are what must run: the model and the disk follow. */
export function followRollback(state: ChaosState, status: StatusResponse): boolean {
  const last = status.lastReload;
  const deploy = state.deployed;
  if (!deploy || last?.id !== deploy.id) return false;
  if (last.groups.find((g) => g.name === "web")?.probation?.outcome !== "rolled-back") return false;
  state.deployed = undefined;
  state.version = deploy.previous.version;
  state.count = deploy.previous.count;
  state.app.write("web.ts", HANDLER(state.version));
  state.app.editConfig((config) => (config.workers[0].count = state.count));
  return true;
}

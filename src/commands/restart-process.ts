// `workerman-app restart --process PID`: the no-gap replacement of one worker (new process ready, then the old one drains).
import { AdminRefusal, adminRequest } from "../admin/client.ts";
import { PROCESS_RESTART_WAIT_MS, type ProcessRestartAnswer, type StatusProcess, type StatusResponse } from "../admin/contract.ts";
import { AppError } from "../errors.ts";

/** Past the master's own hold (a slow gate), or against a master without `wait`, the CLI polls until this. */
const WAIT_MS = 30_000;
const POLL_MS = 50;

type Slot = Pick<StatusProcess, "group" | "index">;

export async function restartProcessCommand(configPath: string, pid: number, json: boolean): Promise<number> {
  if (!json) console.log(`restarting pid ${pid}: starting its replacement...`);
  // One request, which the master answers once the successor serves and the old process has exited: no status reads.
  const { answer, slot } = await askAndWait(configPath, pid);
  const done = answer?.restarting === false ? { pid: answer.newPid!, generation: answer.generation! } : await waitForReplacement(configPath, pid, slot);
  if (json) console.log(JSON.stringify({ group: slot.group, index: slot.index, oldPid: pid, newPid: done.pid, generation: done.generation }, null, 2));
  else console.log(`${slot.group}#${slot.index}: pid ${done.pid} (generation ${done.generation}) serves; pid ${pid} has drained`);
  return 0;
}

/** The master's answer (done, or still under way past its hold), or none from a master that cannot wait (an older build). */
async function askAndWait(configPath: string, pid: number): Promise<{ answer?: ProcessRestartAnswer; slot: Slot }> {
  const path = `/api/processes/${pid}/restart`;
  const post = (body: object) => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  try {
    const answer = await adminRequest<ProcessRestartAnswer>(configPath, path, post({ wait: true }), PROCESS_RESTART_WAIT_MS);
    return { answer, slot: answer };
  } catch (err) {
    if (!(err instanceof AdminRefusal)) throw err;
    if (err.status === 404) throw await unknownPid(configPath, pid);
    // A master from before `wait` refuses the field (400, naming it): ask as it understands, then poll.
    if (err.status !== 400 || !err.apiMessage.includes("wait")) throw err;
    const slot = await currentSlot(configPath, pid);
    await adminRequest(configPath, path, post({}));
    return { slot };
  }
}

async function currentSlot(configPath: string, pid: number): Promise<Slot> {
  const { processes } = await adminRequest<StatusResponse>(configPath, "/api/status");
  const row = processes.find((p) => p.pid === pid);
  if (!row) throw await unknownPid(configPath, pid);
  return row;
}

async function unknownPid(configPath: string, pid: number): Promise<AppError> {
  const { processes } = await adminRequest<StatusResponse>(configPath, "/api/status");
  const pids = processes.filter((p) => p.pid !== null && p.state !== "exited").map((p) => `${p.pid} (${p.group}#${p.index})`);
  return new AppError("E_USAGE", `no worker process ${pid} in this master; its workers: ${pids.join(", ") || "none"}`, { field: "--process" });
}

/** Waits until the slot's new process is ready and the old one has left the table. */
async function waitForReplacement(configPath: string, pid: number, slot: Slot): Promise<StatusProcess> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const { processes } = await adminRequest<StatusResponse>(configPath, "/api/status");
    const next = processes.find((p) => p.group === slot.group && p.index === slot.index && p.pid !== pid && p.state === "ready");
    if (next && !processes.some((p) => p.pid === pid && p.state !== "exited")) return next;
    await Bun.sleep(POLL_MS);
  }
  throw new AppError("E_ADMIN", `${slot.group}#${slot.index} was not replaced within ${WAIT_MS / 1000} s: see workerman-app status and the events`);
}

// `workerman-app restart --process PID`: the no-gap replacement of one worker (new process ready, then the old one drains).
import { AdminRefusal, adminRequest } from "../admin/client.ts";
import { PROCESS_RESTART_WAIT_MS, type ProcessRestartAnswer, type StatusProcess, type StatusResponse } from "../admin/contract.ts";
import { AppError } from "../errors.ts";

/** Past the master's own hold (a slow gate), or against a master without `wait`, the CLI polls until this. */
const WAIT_MS = 30_000;
const POLL_MS = 50;

export async function restartProcessCommand(configPath: string, pid: number, json: boolean): Promise<number> {
  const before = await adminRequest<StatusResponse>(configPath, "/api/status");
  const old = before.processes.find((p) => p.pid === pid);
  if (!old) {
    const pids = before.processes.filter((p) => p.pid !== null && p.state !== "exited").map((p) => `${p.pid} (${p.group}#${p.index})`);
    throw new AppError("E_USAGE", `no worker process ${pid} in this master; its workers: ${pids.join(", ") || "none"}`, { field: "--process" });
  }
  if (!json) console.log(`restarting ${old.group}#${old.index} (pid ${pid}): starting its replacement...`);
  // The master answers once the successor serves and the old process has exited: no polls, no time lost between them.
  const answer = await askAndWait(configPath, pid);
  const replacement = answer ? { pid: answer.newPid!, generation: answer.generation! } : await waitForReplacement(configPath, old);
  if (json)
    console.log(JSON.stringify({ group: old.group, index: old.index, oldPid: pid, newPid: replacement.pid, generation: replacement.generation }, null, 2));
  else console.log(`${old.group}#${old.index}: pid ${replacement.pid} (generation ${replacement.generation}) serves; pid ${pid} has drained`);
  return 0;
}

/** The finished restart, or null when it is still under way (past the master's hold) or the master cannot wait (an older build). */
async function askAndWait(configPath: string, pid: number): Promise<ProcessRestartAnswer | null> {
  const path = `/api/processes/${pid}/restart`;
  const post = (body: object) => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  try {
    const answer = await adminRequest<ProcessRestartAnswer>(configPath, path, post({ wait: true }), PROCESS_RESTART_WAIT_MS);
    return answer.restarting || answer.newPid === undefined ? null : answer;
  } catch (err) {
    // A master from before `wait` refuses the field (400, naming it): ask as it understands, then poll.
    if (!(err instanceof AdminRefusal && err.status === 400 && err.apiMessage.includes("wait"))) throw err;
    await adminRequest(configPath, path, post({}));
    return null;
  }
}

/** Waits until the slot's new process is ready and the old one has left the table. */
async function waitForReplacement(configPath: string, old: StatusProcess): Promise<StatusProcess> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const { processes } = await adminRequest<StatusResponse>(configPath, "/api/status");
    const next = processes.find((p) => p.group === old.group && p.index === old.index && p.pid !== old.pid && p.state === "ready");
    if (next && !processes.some((p) => p.pid === old.pid && p.state !== "exited")) return next;
    await Bun.sleep(POLL_MS);
  }
  throw new AppError("E_ADMIN", `${old.group}#${old.index} was not replaced within ${WAIT_MS / 1000} s: see workerman-app status and the events`);
}

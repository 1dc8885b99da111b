// `workerman-app restart --process PID`: the no-gap replacement of one worker (new process ready, then the old one drains).
import { adminRequest } from "../admin/client.ts";
import type { StatusProcess, StatusResponse } from "../admin/contract.ts";
import { AppError } from "../errors.ts";

const WAIT_MS = 30_000;

export async function restartProcessCommand(configPath: string, pid: number, json: boolean): Promise<number> {
  const before = await adminRequest<StatusResponse>(configPath, "/api/status");
  const old = before.processes.find((p) => p.pid === pid);
  if (!old) {
    const pids = before.processes.filter((p) => p.pid !== null && p.state !== "exited").map((p) => `${p.pid} (${p.group}#${p.index})`);
    throw new AppError("E_USAGE", `no worker process ${pid} in this master; its workers: ${pids.join(", ") || "none"}`, { field: "--process" });
  }
  await adminRequest(configPath, `/api/processes/${pid}/restart`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
  if (!json) console.log(`restarting ${old.group}#${old.index} (pid ${pid}): starting its replacement...`);
  const replacement = await waitForReplacement(configPath, old);
  if (json)
    console.log(JSON.stringify({ group: old.group, index: old.index, oldPid: pid, newPid: replacement.pid, generation: replacement.generation }, null, 2));
  else console.log(`${old.group}#${old.index}: pid ${replacement.pid} (generation ${replacement.generation}) serves; pid ${pid} has drained`);
  return 0;
}

/** Waits until the slot's new process is ready and the old one has left the table. */
async function waitForReplacement(configPath: string, old: StatusProcess): Promise<StatusProcess> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const { processes } = await adminRequest<StatusResponse>(configPath, "/api/status");
    const next = processes.find((p) => p.group === old.group && p.index === old.index && p.pid !== old.pid && p.state === "ready");
    if (next && !processes.some((p) => p.pid === old.pid && p.state !== "exited")) return next;
    await Bun.sleep(100);
  }
  throw new AppError("E_ADMIN", `${old.group}#${old.index} was not replaced within ${WAIT_MS / 1000} s: see workerman-app status and the events`);
}

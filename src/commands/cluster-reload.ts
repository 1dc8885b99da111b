// `workerman-app reload --cluster [-g] [--order A,B]`: every instance in turn through its own health gate, stopping at the first rollback.
import { adminRequest } from "../admin/client.ts";
import type { ClusterReloadRecord, ClusterReloadStep } from "../admin/contract.ts";
import { moreErrorLines } from "../master/failure-reason.ts";
import { groupLine } from "./reload.ts";

const POLL_MS = 300;

export async function clusterReloadCommand(configPath: string, graceful: boolean, order: string | undefined): Promise<number> {
  const names = order
    ?.split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  let record = await adminRequest<ClusterReloadRecord>(configPath, "/api/cluster/reload", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ graceful, order: names }),
  });
  console.log(`cluster reload${graceful ? " (graceful)" : ""}, one instance at a time: ${record.steps.map((s) => s.label).join(", ")}`);
  let printed = 0;
  for (;;) {
    // Each instance's lines as soon as its turn ends, in order.
    while (printed < record.steps.length && isFinished(record.steps[printed]!)) console.log(stepLines(record.steps[printed++]!, record).join("\n"));
    if (record.state !== "running") break;
    await Bun.sleep(POLL_MS);
    record = await adminRequest<ClusterReloadRecord>(configPath, `/api/cluster/reloads/${record.id}`);
  }
  return record.state === "done" ? 0 : 1;
}

function isFinished(step: ClusterReloadStep): boolean {
  return step.state !== "waiting" && step.state !== "reloading";
}

/** `host-a: web: 2 replaced`, `host-b: web: rolled back: web.ts:3:45 ...`, `host-c: not reloaded (stopped after host-b)`. */
export function stepLines(step: ClusterReloadStep, record: ClusterReloadRecord): string[] {
  if (step.state === "not-reloaded") return [`${step.label}: not reloaded (stopped after ${record.stoppedAfter})`];
  if (step.state === "failed" && !step.record) return [`${step.label}: failed: ${step.error ?? "unknown error"}`];
  const reload = step.record!;
  const lines = reload.groups.map((g) => [`${step.label}: ${groupLine(g, reload.finishedAt)}`, ...moreErrorLines(g.reason)].join("\n"));
  if (lines.length === 0) lines.push(`${step.label}: no reloadable group`);
  if (reload.error) lines.push(`${step.label}: reload ${reload.state}: ${reload.error}`);
  return lines;
}

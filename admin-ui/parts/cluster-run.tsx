/** @jsxImportSource preact */
// The Cluster view's actions (rolling reload, one instance's reload, another instance's process restart) and the run's progress, step by step.
import { signal } from "@preact/signals";
import type { ClusterReloadRecord, ClusterReloadStep } from "../../src/admin/contract.ts";
import { api, errorText, post } from "../api.ts";
import { askConfirm } from "./confirm.tsx";

const POLL_MS = 500;

export const clusterRun = signal<ClusterReloadRecord | null>(null);
export const clusterMessage = signal<string | null>(null);

/** Every instance (this one last) or just the named ones, one at a time; followed until it ends. */
export async function startClusterReload(order?: string[], label = "every instance"): Promise<void> {
  const body = `${label === "every instance" ? "Each instance" : label} reloads in turn through its own health gate; the run stops at the first rollback.`;
  if (!(await askConfirm(`Reload ${label}?`, body, "Reload"))) return;
  clusterMessage.value = null;
  try {
    let record = await post<ClusterReloadRecord>("/api/cluster/reload", order ? { order } : {});
    clusterRun.value = record;
    while (record.state === "running") {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      record = await api<ClusterReloadRecord>(`/api/cluster/reloads/${record.id}`);
      clusterRun.value = record;
    }
  } catch (err) {
    clusterMessage.value = errorText(err);
  }
}

export async function restartOn(instance: string, host: string, pid: number): Promise<void> {
  if (!(await askConfirm(`Restart process ${pid} on ${host}?`, "Its successor starts listening before it drains.", "Restart"))) return;
  try {
    await post(`/api/cluster/instances/${encodeURIComponent(instance)}/processes/${pid}/restart`);
    clusterMessage.value = `${host}: process ${pid} is being replaced`;
  } catch (err) {
    clusterMessage.value = errorText(err);
  }
}

function stepText(step: ClusterReloadStep, run: ClusterReloadRecord): string {
  if (step.state === "not-reloaded") return `not reloaded (stopped after ${run.stoppedAfter})`;
  if (step.state === "failed" && !step.record) return `failed: ${step.error ?? "unknown error"}`;
  if (!step.record) return step.state;
  const groups = step.record.groups.map((g) =>
    g.phase === "rolled-back" ? `${g.name}: rolled back: ${g.reason?.text ?? ""}` : `${g.name}: ${g.replaced} replaced`,
  );
  return groups.join("; ") || "no reloadable group";
}

export function ClusterRunProgress() {
  const run = clusterRun.value;
  return (
    <>
      {clusterMessage.value && (
        <p class="muted" role="status" data-cluster-message>
          {clusterMessage.value}
        </p>
      )}
      {run && (
        <section
          class={`progress ${run.state === "running" ? "running" : run.state === "done" ? "done" : "failed"}`}
          aria-live="polite"
          data-cluster-run={run.state}
        >
          <h3>
            Cluster reload: {run.state === "running" ? "running" : run.state === "done" ? "every instance replaced" : `stopped after ${run.stoppedAfter}`}
          </h3>
          {run.steps.map((step) => (
            <p key={step.instance} data-step={step.label} data-step-state={step.state}>
              <strong>{step.label}</strong>: {stepText(step, run)}
            </p>
          ))}
        </section>
      )}
    </>
  );
}

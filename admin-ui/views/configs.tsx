/** @jsxImportSource preact */
// The applied configs (start, restart, reload): version, when, who, and what each changed per group.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { ConfigVersion, ListResponse } from "../../src/admin/contract.ts";
import { api, errorText } from "../api.ts";
import { formatDateTime } from "../format.ts";
import { events, status } from "../state.ts";

function changeText(version: ConfigVersion): string {
  const parts = version.diff.groups
    .filter((g) => g.change !== "unchanged")
    .map((g) => (g.change === "changed" ? `${g.name}: ${g.keys.join(", ")}` : `${g.name}: ${g.change}`));
  if (version.diff.needsRestart.length) parts.push(`needs restart: ${version.diff.needsRestart.join(", ")}`);
  return parts.length ? parts.join("; ") : "settings only (stopTimeout, drainWindowMs)";
}

export function Configs() {
  const items = useSignal<ConfigVersion[]>([]);
  const message = useSignal<string | null>(null);
  // A finished reload or a new master may have applied a config: read the history again then.
  const lastReload = events.value.find((e) => e.type === "reload-finished");
  const masterPid = status.value?.master.pid;

  useEffect(() => {
    api<ListResponse<ConfigVersion>>("/api/configs?limit=20")
      .then((r) => {
        items.value = r.items;
        message.value = null;
      })
      .catch((err) => (message.value = `Config history unavailable: ${errorText(err)}`));
  }, [lastReload, masterPid]);

  return (
    <section aria-label="Config history">
      {message.value && (
        <p class="warning" role="status">
          {message.value}
        </p>
      )}
      <table class="configs" data-table="configs">
        <thead>
          <tr>
            <th scope="col">version</th>
            <th scope="col">applied</th>
            <th scope="col">by</th>
            <th scope="col">changes</th>
          </tr>
        </thead>
        <tbody>
          {items.value.map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>{v.version}</td>
              <td>
                <time dateTime={new Date(v.at).toISOString()}>{formatDateTime(v.at)}</time>
              </td>
              <td>{v.who}</td>
              <td>{changeText(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.value.length === 0 && !message.value && <p class="muted">No config recorded yet.</p>}
    </section>
  );
}

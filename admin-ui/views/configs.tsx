/** @jsxImportSource preact */
// The applied configs (start, restart, reload): version, when, who and what each changed per group; show one, or diff two.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { ConfigVersion, ListResponse } from "../../src/admin/contract.ts";
import { api, errorText } from "../api.ts";
import { formatDateTime } from "../format.ts";
import { ConfigDiff, ConfigShown } from "../parts/config-detail.tsx";
import { TableHead } from "../parts/table-head.tsx";
import { events, status } from "../state.ts";

function changeText(version: ConfigVersion): string {
  const parts = version.diff.groups
    .filter((g) => g.change !== "unchanged")
    .map((g) => (g.change === "changed" ? `${g.name}: ${g.keys.join(", ")}` : `${g.name}: ${g.change}`));
  if (version.diff.needsRestart.length) parts.push(`needs restart: ${version.diff.needsRestart.join(", ")}`);
  return parts.length ? parts.join("; ") : "settings only (stopTimeout, drainWindowMs)";
}

type Detail = { show: number } | { from: number; to: number } | null;

export function Configs() {
  const items = useSignal<ConfigVersion[]>([]);
  const message = useSignal<string | null>(null);
  const detail = useSignal<Detail>(null);
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

  const d = detail.value;
  const close = () => (detail.value = null);
  return (
    <section aria-labelledby="configs-title">
      <div class="section-head">
        <h2 id="configs-title">Configs</h2>
        {items.value.length > 1 && <Compare versions={items.value.map((v) => v.version)} onCompare={(from, to) => (detail.value = { from, to })} />}
      </div>
      {message.value && (
        <p class="warning" role="status">
          {message.value}
        </p>
      )}
      <div class="table-wrap">
        <table class="configs" data-table="configs">
          <caption class="visually-hidden">Config history</caption>
          <TableHead columns={["version", "applied", "by", "changes"]} text={["applied", "by", "changes"]} minor={["by"]} />
          <tbody>
            {items.value.map((v) => (
              <tr key={v.version} data-version={v.version}>
                <td class="num">{v.version}</td>
                <td class="when">
                  <time dateTime={new Date(v.at).toISOString()}>{formatDateTime(v.at)}</time>
                </td>
                <td class="minor">{v.who}</td>
                <td class="changes">{changeText(v)}</td>
                <td class="actions">
                  <button type="button" data-action="show" onClick={() => (detail.value = { show: v.version })} aria-label={`Show config version ${v.version}`}>
                    Show
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {items.value.length === 0 && !message.value && <p class="muted">No config recorded yet.</p>}
      {d && "show" in d && <ConfigShown key={d.show} version={d.show} onClose={close} />}
      {d && "from" in d && <ConfigDiff key={`${d.from}..${d.to}`} from={d.from} to={d.to} onClose={close} />}
    </section>
  );
}

/** Two versions to compare: by default the one before the newest against the newest (what the last reload changed). */
function Compare({ versions, onCompare }: { versions: number[]; onCompare: (from: number, to: number) => void }) {
  const from = useSignal(versions[1]!);
  const to = useSignal(versions[0]!);
  const pick = (label: string, value: number, set: (v: number) => void, name: string) => (
    <label>
      {label}
      <select data-compare={name} value={value} onChange={(e) => set(Number(e.currentTarget.value))}>
        {versions.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div class="filters" role="group" aria-label="Compare two configs">
      {pick("compare", from.value, (v) => (from.value = v), "from")}
      {pick("with", to.value, (v) => (to.value = v), "to")}
      <button type="button" data-action="diff" onClick={() => onCompare(from.value, to.value)}>
        Diff
      </button>
    </div>
  );
}

/** @jsxImportSource preact */
// A kept config as the master applied it (GET /api/configs/:version), or the line diff of two of them.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { ConfigVersionDetail } from "../../src/admin/contract.ts";
import { api, errorText } from "../api.ts";
import { lineDiff, MAX_DIFF_LINES, withContext } from "../line-diff.ts";

/** A version's config, fetched once per version while the page lives (a kept version never changes). */
const cache = new Map<number, Promise<ConfigVersionDetail>>();

function loadVersion(version: number): Promise<ConfigVersionDetail> {
  let found = cache.get(version);
  if (!found) {
    found = api<ConfigVersionDetail>(`/api/configs/${version}`);
    // A refusal (a version trimmed meanwhile, a lost session) is not kept: the next try asks again.
    found.catch(() => cache.delete(version));
    cache.set(version, found);
  }
  return found;
}

/** The text a config is shown and compared as: keys in the master's order, two-space indent. */
export const configLines = (config: Record<string, unknown>) => JSON.stringify(config, null, 2).split("\n");

/** Loads the given versions; the answer, or the sentence saying why not. */
function useVersions(versions: number[]) {
  const loaded = useSignal<ConfigVersionDetail[] | null>(null);
  const message = useSignal<string | null>(null);
  const key = versions.join(",");
  useEffect(() => {
    let gone = false;
    loaded.value = null;
    message.value = null;
    Promise.all(versions.map(loadVersion)).then(
      (all) => !gone && (loaded.value = all),
      (err) => !gone && (message.value = `Could not read config ${key.replace(",", " or ")}: ${errorText(err)}`),
    );
    return () => void (gone = true);
  }, [key]);
  return { loaded: loaded.value, message: message.value };
}

export function ConfigShown({ version, onClose }: { version: number; onClose: () => void }) {
  const { loaded, message } = useVersions([version]);
  return (
    <section class="config-detail" data-config-shown={version} aria-label={`Config version ${version}`}>
      <div class="section-head">
        <h3>Config version {version}</h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {message && <p class="warning">{message}</p>}
      {loaded && <pre class="config-text">{configLines(loaded[0]!.config).join("\n")}</pre>}
      {!loaded && !message && <p class="muted">Loading…</p>}
    </section>
  );
}

export function ConfigDiff({ from, to, onClose }: { from: number; to: number; onClose: () => void }) {
  const { loaded, message } = useVersions([from, to]);
  const diff = loaded ? lineDiff(configLines(loaded[0]!.config), configLines(loaded[1]!.config)) : null;
  const changed = diff?.filter((l) => l.op !== " ").length ?? 0;
  return (
    <section class="config-detail" data-config-diff={`${from}..${to}`} aria-label={`Config ${from} against ${to}`}>
      <div class="section-head">
        <h3>
          Version {from} → {to}
        </h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {message && <p class="warning">{message}</p>}
      {loaded && !diff && <p class="warning">One of these configs is over {MAX_DIFF_LINES} lines: compare them with a diff tool instead.</p>}
      {diff && changed === 0 && <p class="muted">The two configs are the same.</p>}
      {diff && changed > 0 && (
        <pre class="config-text diff">
          {withContext(diff).map((line, i) =>
            line.op === "skip" ? (
              <span key={i} class="skipped">{`  … ${line.count} unchanged line${line.count === 1 ? "" : "s"}`}</span>
            ) : (
              <span key={i} class={line.op === "+" ? "added" : line.op === "-" ? "removed" : undefined}>
                {`${line.op} ${line.text}`}
              </span>
            ),
          )}
        </pre>
      )}
      {!loaded && !message && <p class="muted">Loading…</p>}
    </section>
  );
}

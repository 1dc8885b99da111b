// `workerman-app reload [-g] [--group G] [--no-wait]`: a new generation per group through the health gate, followed to its end.
import { AdminRefusal, adminRequest } from "../admin/client.ts";
import type { ReloadGroup, ReloadRecord } from "../admin/contract.ts";
import { loadConfig } from "../config/load.ts";
import { AppError } from "../errors.ts";
import { moreErrorLines } from "../master/failure-reason.ts";

const POLL_MS = 200;

export async function reloadCommand(configPath: string, graceful: boolean, group: string | undefined, wait = true): Promise<number> {
  // Validated here first (an invalid file exits 2 naming the field; adminRequest alone reads it leniently); the master validates it again.
  await loadConfig(configPath);
  let record = await adminRequest<ReloadRecord>(configPath, "/api/reload", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ graceful, group }),
  }).catch((err: unknown) => {
    const refused = err instanceof AdminRefusal && err.status === 422 && (err.apiCode === "E_CONFIG" || err.apiCode === "E_LISTEN");
    if (!refused) throw err;
    // A taken address keeps its code and field (exit 2 either way): `E_LISTEN: workers[0].listen: reload refused, ...`.
    const taken = err.apiCode === "E_LISTEN" ? /^(workers\[\d+\]\.listen): (.*)$/s.exec(err.apiMessage) : null;
    if (taken) throw new AppError("E_LISTEN", `reload refused, nothing changed: ${taken[2]}`, { field: taken[1] });
    throw new AppError("E_CONFIG", `reload refused, nothing changed: ${err.apiMessage}`);
  });
  const names = record.groups.map((g) => g.name).join(", ") || "no reloadable group";
  console.log(`reload${graceful ? " (graceful)" : ""} to generation ${record.generation}: ${names}`);
  if (record.needsRestart.length) console.log(`needs restart: ${record.needsRestart.join(", ")} (these apply after \`workerman-app restart\`)`);
  if (!wait) return 0;
  while (record.state === "running") {
    await Bun.sleep(POLL_MS);
    record = await adminRequest<ReloadRecord>(configPath, `/api/reloads/${record.id}`);
  }
  for (const g of record.groups) console.log([groupLine(g, record.finishedAt), ...moreErrorLines(g.reason)].join("\n"));
  if (record.error) console.log(`reload ${record.state}: ${record.error}`);
  return record.state === "done" ? 0 : 1;
}

/** `web: 2 replaced, old generation draining for up to 2.3 s`, `web: rolled back: h.ts:3:41 Expected ")" but found "}"`, `old: removed`. */
export function groupLine(g: ReloadGroup, finishedAt?: number): string {
  const changed = g.change === "changed" && g.keys.length ? ` (changed: ${g.keys.join(", ")})` : g.change === "added" ? " (new group)" : "";
  switch (g.phase) {
    case "replaced":
      return `${g.name}: ${g.replaced} ${g.change === "added" ? "started" : "replaced"}${changed}${drainingText(g, finishedAt)}`;
    case "probation":
      return `${g.name}: ${g.replaced} replaced${changed}${drainingText(g, finishedAt)}; ${probationText(g)}`;
    case "removed":
      return `${g.name}: removed (no longer in app.json)`;
    case "rolled-back":
      return `${g.name}: rolled back: ${g.reason?.text ?? "unknown reason"}`;
    default:
      return `${g.name}: ${g.phase}`;
  }
}

/** The old processes are parked: say until when, and what happens if the new ones exit meanwhile. */
export function probationText(g: ReloadGroup): string {
  const until = g.probation?.until ?? 0;
  const seconds = Math.max(0, Math.round((until - Date.now()) / 1000));
  const at = new Date(until).toLocaleTimeString();
  return `probation runs until ${at} (${seconds} s): the old processes stay parked and take over again if a new one exits (see status)`;
}

/** The old generation is still draining when the reload ends (and takes new connections for the drain window). */
function drainingText(g: ReloadGroup, finishedAt: number | undefined): string {
  if (g.drainUntil === undefined || finishedAt === undefined || g.drainUntil <= finishedAt) return "";
  return `, old generation draining for up to ${((g.drainUntil - finishedAt) / 1000).toFixed(1)} s`;
}

// Both ends of a reload asked over the command bus: the asking side waits for "begun" then "ended"; the asked side runs its own and replies.
import type { ConfigReloadOptions } from "../master/config-reload.ts";
import type { ReloadRecord } from "../master/records.ts";
import type { ReloadHandle } from "../master/supervisor.ts";
import type { CommandBus } from "./command-bus.ts";

/** The asked instance answers at once (it only starts its reload); silence this long means it did not get the command. */
const BEGIN_MS = 5000;
/** A reload ends after its health gate (start + healthySeconds per group): far less than this unless something hangs. */
const END_MS = 10 * 60_000;

export async function reloadRemote(bus: CommandBus, instance: string, graceful: boolean): Promise<ReloadRecord> {
  const rid = bus.newRid();
  const { promise, resolve, reject } = Promise.withResolvers<ReloadRecord>();
  let timer = setTimeout(
    () => reject(new Error(`no answer in ${BEGIN_MS / 1000} s (is it running, connected to Redis, with the same cluster.secretFile?)`)),
    BEGIN_MS,
  );
  const stop = bus.expect(rid, (body) => {
    if (body.phase === "begun") {
      clearTimeout(timer);
      timer = setTimeout(() => reject(new Error(`its reload did not end within ${END_MS / 60_000} minutes`)), END_MS);
    } else if (body.phase === "refused") reject(new Error(`refused: ${String(body.error)}`));
    else if (body.phase === "ended") resolve(body.record as ReloadRecord);
  });
  if (!bus.send(instance, "reload", { rid, graceful })) reject(new Error("the command could not be sent: Redis is unavailable"));
  try {
    return await promise;
  } finally {
    clearTimeout(timer);
    stop();
  }
}

export type LocalReload = (options: ConfigReloadOptions) => Promise<ReloadHandle>;

/** The asked side: its own reload (re-reading its own app.json, through its own gate), audited with who asked. */
export async function answerReload(bus: CommandBus, reload: LocalReload, from: string, body: Record<string, unknown>, audit: (result: string) => void) {
  const rid = String(body.rid);
  const reply = (fields: Record<string, unknown>) => bus.send(from, "reply", { rid, ...fields });
  let handle: ReloadHandle;
  try {
    handle = await reload({ graceful: body.graceful === true, who: `cluster:${from}` });
  } catch (err) {
    const message = (err as Error).message;
    audit(`refused: ${message}`);
    reply({ phase: "refused", error: message });
    return;
  }
  audit(`ok: generation ${handle.record.generation}`);
  reply({ phase: "begun", generation: handle.record.generation });
  reply({ phase: "ended", record: await handle.done });
}

// A worker's queue to the master, capped in bytes: past 16 MiB unwritten, channel traffic, stats and replies are dropped and counted.
import { IpcOutbox } from "../ipc-outbox.ts";
import type { WorkerToMaster } from "../ipc.ts";

/**
 * What happens to a dropped message: a channel send is lost (counted); the channel keeps unsent bindings and sends
 * them later, and a channel query fails at once; stats and handler errors are replaced by the next ones; a reply
 * (or ack) is not seen, so the master's request fails at its own timeout (3 s); a worker.shared call fails at once. Lifecycle messages (ready, fatal,
 * parked, and any type added later) go once per transition and are never dropped.
 */
const DROPPABLE = new Set<WorkerToMaster["type"]>(["channel", "stats", "handler-error", "reply", "shared"]);

function droppable(message: WorkerToMaster): boolean {
  return DROPPABLE.has(message.type);
}

/** Node's process.send(message, callback): Bun runs the callback once the message is written to the socket. */
type SendWithCallback = (message: unknown, written: (error?: unknown) => void) => boolean;

export const masterOutbox = new IpcOutbox<WorkerToMaster>((message, written) => (process.send as unknown as SendWithCallback)(message, written), {
  droppable,
  // Said on this process's stderr (a separate pipe): its own IPC is what is congested. The master counts these from
  // the stats once they get through.
  onDropReport: (count) =>
    console.warn(`[ipc] ${count} message(s) to the master dropped: ${masterOutbox.capBytes / 1048576} MiB are waiting for it to read them`),
});

/** Sends to the master if still connected; false when not sent (disconnected, or dropped past the cap). */
export function sendToMaster(message: WorkerToMaster): boolean {
  if (!process.connected) return false;
  // Stats carry the drop count: they are how the master learns of drops it could not hear about.
  if (message.type === "stats") message.counters.ipcDropped = masterOutbox.dropped;
  return masterOutbox.send(message);
}

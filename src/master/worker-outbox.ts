// The master's queue to one worker, capped in bytes: past 16 MiB unwritten, channel traffic and queries are dropped and counted; lifecycle messages always go.
import { IpcOutbox } from "../ipc-outbox.ts";
import type { MasterToWorker, ProcessCounters } from "../ipc.ts";
import { ipcDrops, WorkerDropWatch } from "./ipc-drops.ts";

/**
 * What happens to a dropped message: a channel delivery is lost (counted); a query, a close, a health check is
 * answered at once as failed (`send` returns false); a relay or worker.shared answer to the worker times out there (5 s). Lifecycle
 * messages (stop, park, unpark, and any type added later) are never dropped: one per transition, and a worker that
 * cannot read them is the supervisor's business (the stop's deadline ends in SIGKILL).
 */
const DROPPABLE = new Set<MasterToWorker["type"]>(["channel", "query", "close-connection", "delete-timer", "health-check", "shared"]);

function droppable(message: MasterToWorker): boolean {
  return DROPPABLE.has(message.type);
}

/** Bun's Subprocess.send takes a callback run once the message is written, though its types leave it out. */
type SendWithCallback = { send(message: unknown, written: (error?: unknown) => void): void };

export class WorkerOutbox extends IpcOutbox<MasterToWorker> {
  readonly #watch: WorkerDropWatch;

  /** `child` is read at each send: the outbox is made before the process is spawned. */
  constructor(child: () => { send(message: unknown): void }, who: { pid: number; group: string }) {
    super((message, written) => (child() as unknown as SendWithCallback).send(message, written), {
      droppable,
      onDrop: () => ipcDrops.count("to-worker"),
      onDropReport: (count) => ipcDrops.report("to-worker", who, count),
    });
    this.#watch = new WorkerDropWatch(who);
  }

  /** A worker's stats carry its own drops towards the master. */
  observeStats(counters: ProcessCounters): void {
    this.#watch.observe(counters.ipcDropped);
  }
}

// The master's count of IPC messages dropped past the byte cap, both ways, and the one door their events leave by.
import { DropReporter, IPC_QUEUE_CAP_BYTES } from "../ipc-outbox.ts";

export type IpcDirection = "to-worker" | "to-master";

/** At most one per process and direction per minute; `count` is how many were dropped since the previous one. */
export interface IpcDroppedEvent {
  type: "ipc-dropped";
  pid: number;
  group: string;
  direction: IpcDirection;
  count: number;
  capBytes: number;
}

export interface IpcStatus {
  /** The cap of each direction's queue, per worker process. */
  capBytes: number;
  /** Messages dropped since the master started (to-master: as the workers reported them). */
  dropped: Record<IpcDirection, number>;
}

export class IpcDropTally {
  readonly totals: Record<IpcDirection, number> = { "to-worker": 0, "to-master": 0 };
  #listener: (event: IpcDroppedEvent) => void = () => {};

  /** The supervisor's events get the reports (one listener: the channel relay wires it at start). */
  listen(listener: (event: IpcDroppedEvent) => void): void {
    this.#listener = listener;
  }

  count(direction: IpcDirection, n = 1): void {
    this.totals[direction] += n;
  }

  report(direction: IpcDirection, who: { pid: number; group: string }, count: number): void {
    this.#listener({ type: "ipc-dropped", pid: who.pid, group: who.group, direction, count, capBytes: IPC_QUEUE_CAP_BYTES });
  }

  status(): IpcStatus {
    return { capBytes: IPC_QUEUE_CAP_BYTES, dropped: { ...this.totals } };
  }
}

export const ipcDrops = new IpcDropTally();

/** The console's line for a report. */
export function ipcDroppedText(event: IpcDroppedEvent): string {
  const cap = `${event.capBytes / 1048576} MiB`;
  return event.direction === "to-worker"
    ? `worker ${event.group} (pid ${event.pid}) is not reading its IPC: ${event.count} message(s) to it dropped past ${cap} waiting`
    : `worker ${event.group} (pid ${event.pid}) dropped ${event.count} message(s) to the master past ${cap} waiting`;
}

/** Reads a worker's own drop counter from its stats: the increase is counted and reported here, once a minute at most. */
export class WorkerDropWatch {
  #seen = 0;
  readonly #reporter = new DropReporter();

  constructor(private readonly who: { pid: number; group: string }) {}

  observe(total: number | undefined): void {
    if (total === undefined || total <= this.#seen) return;
    const added = total - this.#seen;
    this.#seen = total;
    ipcDrops.count("to-master", added);
    const report = this.#reporter.note(added);
    if (report > 0) ipcDrops.report("to-master", this.who, report);
  }
}

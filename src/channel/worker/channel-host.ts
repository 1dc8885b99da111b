// What `worker.channel` needs from the worker process that hosts it: the worker runtime meets it, the channel never imports the runtime.
import type { App, Connection, GroupMessage } from "../../worker/types.ts";
import type { WorkerToRelay } from "../protocol.ts";

export interface ChannelHost {
  /** The worker group's name: sendToAll({ workerGroup }) skips the processes of other groups. */
  readonly name: string;
  /** This process's id: a connection of another process cannot be bound from here. */
  readonly pid: number;
  /** This process's connections by id, inbound and outbound. */
  readonly connections: ReadonlyMap<number, Connection>;
  /** The handler: a kept group message goes to its onGroupMessage when it has one. */
  readonly app: Pick<App, "onGroupMessage">;
  /** Calls the handler's onGroupMessage; a throw is reported, never passed on. */
  call(callback: "onGroupMessage", conn: Connection, message: GroupMessage): void;
  /** A subscriber's throw, counted and reported as a handler's would be. */
  reportError(callback: string, conn: Connection | null, err: unknown): void;
  /** Sends a channel payload to the master for relaying; false when it was not sent (the IPC queue is past its cap). */
  toMasterChannel(payload: WorkerToRelay): boolean;
}

// How the channel's master side reaches worker processes without knowing the supervisor: the master hands one in.
import type { RelayToWorker } from "../protocol.ts";

/** A worker process as the relay sees it. */
export interface ChannelPeer {
  readonly pid: number;
  readonly group: string;
  /** Hands a message to the process; false when it could not (the process is gone, or its IPC queue is full). */
  send(message: { type: "channel"; payload: RelayToWorker }): boolean;
}

/** The live worker processes (old generations too: their clients are still connected). */
export interface ProcessDirectory {
  readonly processes: Iterable<ChannelPeer>;
  /** Sends `payload` to every process `filter` picks. */
  sendChannel(payload: RelayToWorker, filter: (peer: ChannelPeer) => boolean): void;
}

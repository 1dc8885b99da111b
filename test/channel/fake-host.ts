// A channel host without a process: what worker.channel sends to the master is kept in `sent`, refused while `full`.
import type { ChannelHost } from "../../src/channel/worker/channel-host.ts";
import type { WorkerToRelay } from "../../src/channel/protocol.ts";
import type { Connection } from "../../src/worker/types.ts";

export function fakeHost() {
  const sent: WorkerToRelay[] = [];
  const host = {
    full: false,
    sent,
    name: "web",
    pid: process.pid,
    connections: new Map<number, Connection>(),
    app: {},
    call: () => {},
    reportError: () => {},
    toMasterChannel(payload: WorkerToRelay) {
      if (host.full) return false;
      sent.push(payload);
      return true;
    },
  };
  return host satisfies ChannelHost;
}

export const fakeConn = (id: number) => ({ id, closed: false, worker: { pid: process.pid }, send: () => true }) as unknown as Connection;

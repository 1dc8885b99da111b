// Answers the master's questions about this process (connections, timers) and its admin actions on them.
import { assertNever } from "../assert-never.ts";
import type { MasterToWorker, WorkerToMaster } from "../ipc.ts";
import type { WorkerRuntime } from "./runtime.ts";

export type MasterQuery = Exclude<Extract<MasterToWorker, { requestId: number }>, { type: "health-check" }>;

export function answerQuery(runtime: WorkerRuntime, message: MasterQuery): WorkerToMaster {
  const { requestId } = message;
  switch (message.type) {
    case "query":
      return {
        type: "reply",
        requestId,
        ok: true,
        data: message.what === "connections" ? [...runtime.connections.values()].map((c) => c.info()) : runtime.timers.list(),
      };
    case "close-connection": {
      const conn = runtime.connections.get(message.id);
      conn?.close();
      return { type: "reply", requestId, ok: conn !== undefined, error: conn ? undefined : `no connection ${message.id}` };
    }
    case "delete-timer": {
      const ok = runtime.timers.del(message.id);
      return { type: "reply", requestId, ok, error: ok ? undefined : `no timer ${message.id}` };
    }
    default:
      return assertNever(message);
  }
}

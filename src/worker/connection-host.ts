// What a connection needs from the worker process that owns it: the runtime meets it, so no connection kind imports the runtime.
import type { ConnectionInfo, ProcessCounters } from "../ipc.ts";
import type { InputBudget } from "./input-budget.ts";
import type { App, AppCallback, Connection, Worker } from "./types.ts";

/** The counters a connection or listener adds to; the rest of ProcessCounters is read when a snapshot is taken. */
export type Counted = Exclude<keyof ProcessCounters, "connections" | "timers" | "rssBytes" | "cpuMicros" | "metrics" | "ipcDropped" | "traffic">;

/** The worker as its connections see it: `conn.worker` for the handler, and the registry, counters and callback calls. */
export interface ConnectionHost extends Worker {
  /** The handler's callbacks (empty until the module is loaded). */
  readonly app: App;
  /** True once the master has asked the process to stop: outbound connections stop reconnecting. */
  readonly stopping: boolean;
  readonly counters: Record<Counted, number>;
  /** The process's budget for bytes held in partial packets and unread bodies. */
  readonly input: InputBudget;
  nextConnectionId(): number;
  add(conn: Connection & { info(): ConnectionInfo }): void;
  remove(conn: Connection): void;
  call(callback: AppCallback, conn: Connection | null, ...args: unknown[]): void;
  callOn(target: App, callback: AppCallback, conn: Connection | null, ...args: unknown[]): void;
  callMessage(target: App, conn: Connection, message: unknown): void;
  reportProtocolError(conn: Connection, err: unknown): void;
}

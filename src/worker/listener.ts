// The contract every listener kind (http, websocket, tcp, udp, unix) meets; one file per kind in listeners/.
import type { ListenAddress } from "../config/types.ts";
import type { WorkerRuntime } from "./runtime.ts";

export interface DrainOptions {
  /** true: wait for long-lived connections to end by themselves; false: close them after stopTimeoutMs. */
  graceful: boolean;
  stopTimeoutMs: number;
  /** http: how long to answer `Connection: close` while still listening, before closing the listener. */
  drainWindowMs: number;
  /** Probation: the process stays alive and may call start() again (unix keeps a copy of the master's descriptor). */
  park?: boolean;
}

/** What a listener hands back once it serves: the runtime reads these, the listener never assigns onto it. */
export interface ListenerStarted {
  /** The address actually bound (port 0 resolved). */
  listen: ListenAddress;
  /** Connections the listener counts itself, beyond the registry's (http: requests in flight), for status. */
  inFlight?: () => number;
}

export interface Listener {
  /** Binds and starts serving; after a drain with `park`, binds the same address again (a rolled-back reload). */
  start(): Promise<ListenerStarted>;
  /** Stops accepting, ends existing connections as `options` say; resolves when none remain. */
  drain(options: DrainOptions): Promise<void>;
}

export type ListenerFactory = (runtime: WorkerRuntime) => Listener | Promise<Listener>;

/** Resolves when `isEmpty()` holds or `timeoutMs` passes (Infinity: no limit); polls cheaply. */
export async function waitUntil(isEmpty: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!isEmpty()) {
    if (Date.now() >= deadline) return false;
    await Bun.sleep(20);
  }
  return true;
}

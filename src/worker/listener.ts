// The contract every listener kind (http, websocket, tcp, udp, unix) meets; one file per kind in listeners/.
import type { ListenAddress } from "../config/types.ts";
import type { WorkerRuntime } from "./runtime.ts";

export interface DrainOptions {
  /** true: wait for long-lived connections to end by themselves, up to gracefulTimeoutMs; false: close them after stopTimeoutMs. */
  graceful: boolean;
  stopTimeoutMs: number;
  /** Past it a graceful drain closes what is left as a plain one does (WebSockets get 1001), before the master's SIGKILL. */
  gracefulTimeoutMs: number;
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

/** setTimeout's longest delay (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves true when `done` settles, false when `timeoutMs` passes first (Infinity: no limit). Drains await the
 * event that ends them (the registry's whenEmpty(), the server's last request) instead of polling for it.
 */
export async function endsBy(done: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  if (timeoutMs === Infinity) return done.then(() => true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.min(timeoutMs, MAX_TIMER_MS));
  });
  try {
    return await Promise.race([done.then(() => true), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

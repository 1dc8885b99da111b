// Closes tcp:// and unix:// connections that moved no bytes either way for idleTimeout, or left a packet unfinished for packageTimeout.
import type { WorkerRuntime } from "../runtime.ts";
import { MAX_QUIET_SWEEPS, StreamConnection } from "../stream-connection.ts";

/** How often to sweep, after how many quiet sweeps in a row to close, and after how many with the same partial packet (0: never). */
export interface SweepPlan {
  everyMs: number;
  quietSweeps: number;
  stallSweeps: number;
}

/**
 * A quarter of the timeout within 100 ms..1 s, so a silent connection is closed at most that late; past 255 s the
 * 8-bit quiet count sets the pace instead (idleTimeout/255: an hour's timeout is checked every 14 s).
 */
export function sweepPlan(idleTimeoutSeconds: number, packageTimeoutSeconds = 0): SweepPlan {
  const idleMs = idleTimeoutSeconds * 1000;
  const stallMs = packageTimeoutSeconds * 1000;
  const timeoutMs = idleMs > 0 && stallMs > 0 ? Math.min(idleMs, stallMs) : Math.max(idleMs, stallMs);
  const wanted = Math.min(1000, Math.max(100, timeoutMs / 4));
  // Both counts have 8 bits: the longer timeout may set a slower pace than the shorter one wants.
  const longest = Math.max(idleMs, stallMs);
  const sweeps = Math.min(MAX_QUIET_SWEEPS, Math.ceil(longest / wanted));
  const everyMs = longest / sweeps;
  // A partial packet may start just before a sweep, which counts it already: one sweep more, so it is never cut early.
  const count = (ms: number, extra: number) => (ms > 0 ? Math.min(MAX_QUIET_SWEEPS, Math.ceil(ms / everyMs - 1e-9) + extra) : 0);
  return { everyMs, quietSweeps: count(idleMs, 0), stallSweeps: count(stallMs, 1) };
}

/**
 * One timer per process, and nothing kept per connection: the sweep walks the connections the process already
 * registers, and each keeps its idle state in bits of its flags (one OR on the data path; see quietFor). Bun's own
 * socket.timeout() ticks every 4 s and is not reset by traffic (measured). The timer runs only while the listener
 * has connections, so an idle process and a drained listener cost nothing.
 */
export class IdleSweep {
  readonly plan: SweepPlan;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly runtime: WorkerRuntime,
    idleTimeoutSeconds: number,
    packageTimeoutSeconds = 0,
  ) {
    this.plan = sweepPlan(idleTimeoutSeconds, packageTimeoutSeconds);
  }

  /** A connection of this listener opened: make sure the sweep runs. */
  opened(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => this.sweep(), this.plan.everyMs);
    this.#timer.unref();
  }

  /** A connection closed: with none left the timer stops at once (a sweep would also find none and stop it). */
  closed(): void {
    if (this.runtime.connections.size === 0) this.#stop();
  }

  /** Returns how many of the listener's connections it looked at. */
  sweep(): number {
    const { quietSweeps, stallSweeps } = this.plan;
    let seen = 0;
    this.runtime.connections.forEach((conn) => {
      // Outbound connections are the handler's own (a backend, a reconnecting client): the handler decides their life.
      if (!(conn instanceof StreamConnection) || conn.outbound) return;
      seen++;
      if (quietSweeps > 0 && conn.quietFor(quietSweeps)) this.#closeIdle(conn);
      else if (stallSweeps > 0 && conn.stalledFor(stallSweeps)) this.runtime.input.timedOut(conn);
    });
    if (seen === 0) this.#stop();
    return seen;
  }

  #closeIdle(conn: StreamConnection): void {
    this.runtime.count("idleClosed");
    conn.close();
    // A peer that stopped reading must not hold the close open with a send buffer it never drains.
    if (conn.pendingSendBytes > 0) conn.destroy();
  }

  #stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }
}

/** null when the group's idleTimeout is 0 (never) and no packet is timed (packageTimeout 0, or no framing to time). */
export function idleSweepFor(runtime: WorkerRuntime, framed: boolean): IdleSweep | null {
  const idle = runtime.config.idleTimeout;
  const stall = framed ? (runtime.config.packageTimeout ?? 0) : 0;
  return idle > 0 || stall > 0 ? new IdleSweep(runtime, idle, stall) : null;
}

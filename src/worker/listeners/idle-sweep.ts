// Closes tcp:// and unix:// connections that moved no bytes either way for the group's idleTimeout.
import type { WorkerRuntime } from "../runtime.ts";
import { MAX_QUIET_SWEEPS, StreamConnection } from "../stream-connection.ts";

/** How often to sweep and after how many quiet sweeps in a row to close. */
export interface SweepPlan {
  everyMs: number;
  quietSweeps: number;
}

/**
 * A quarter of the timeout within 100 ms..1 s, so a silent connection is closed at most that late; past 255 s the
 * 8-bit quiet count sets the pace instead (idleTimeout/255: an hour's timeout is checked every 14 s).
 */
export function sweepPlan(idleTimeoutSeconds: number): SweepPlan {
  const timeoutMs = idleTimeoutSeconds * 1000;
  const everyMs = Math.min(1000, Math.max(100, timeoutMs / 4));
  const quietSweeps = Math.min(MAX_QUIET_SWEEPS, Math.ceil(timeoutMs / everyMs));
  return { everyMs: timeoutMs / quietSweeps, quietSweeps };
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
  ) {
    this.plan = sweepPlan(idleTimeoutSeconds);
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
    const limit = this.plan.quietSweeps;
    let seen = 0;
    this.runtime.connections.forEach((conn) => {
      // Outbound connections are the handler's own (a backend, a reconnecting client): the handler decides their life.
      if (!(conn instanceof StreamConnection) || conn.outbound) return;
      seen++;
      if (conn.quietFor(limit)) this.#closeIdle(conn);
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

/** null when the group's idleTimeout is 0 (never). */
export function idleSweepFor(runtime: WorkerRuntime): IdleSweep | null {
  const seconds = runtime.config.idleTimeout;
  return seconds > 0 ? new IdleSweep(runtime, seconds) : null;
}

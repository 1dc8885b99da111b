// Closes tcp:// and unix:// connections that moved no bytes either way for the group's idleTimeout.
import type { WorkerRuntime } from "../runtime.ts";
import type { StreamConnection } from "../stream-connection.ts";

interface Mark {
  /** bytesRead + bytesWritten when the sweep last saw them move. */
  bytes: number;
  since: number;
}

/**
 * One timer per process, not one per connection, and nothing on the data path: each sweep compares a connection's
 * byte counts with the last sweep's (Bun's own socket.timeout() ticks every 4 s and is not reset by traffic, measured).
 * The timer runs only while connections are tracked, so an idle process and a drained listener cost nothing.
 */
export class IdleSweep {
  readonly #marks = new Map<StreamConnection, Mark>();
  readonly #timeoutMs: number;
  /** A quarter of the timeout, within 100 ms..1 s: a silent connection is closed at most that late. */
  readonly #everyMs: number;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly runtime: WorkerRuntime,
    idleTimeoutSeconds: number,
  ) {
    this.#timeoutMs = idleTimeoutSeconds * 1000;
    this.#everyMs = Math.min(1000, Math.max(100, this.#timeoutMs / 4));
  }

  track(conn: StreamConnection): void {
    this.#marks.set(conn, { bytes: 0, since: Date.now() });
    if (this.#timer === null) {
      this.#timer = setInterval(() => this.sweep(), this.#everyMs);
      this.#timer.unref();
    }
  }

  forget(conn: StreamConnection): void {
    this.#marks.delete(conn);
    if (this.#marks.size === 0 && this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  sweep(now = Date.now()): void {
    for (const [conn, mark] of this.#marks) {
      const bytes = conn.bytesRead + conn.bytesWritten;
      // A connection the handler paused (a pipe waiting on its destination) is waiting on us, not idle.
      if (bytes !== mark.bytes || conn.recvPaused) {
        mark.bytes = bytes;
        mark.since = now;
      } else if (now - mark.since >= this.#timeoutMs) this.#closeIdle(conn);
    }
  }

  #closeIdle(conn: StreamConnection): void {
    this.forget(conn);
    if (conn.closed) return;
    this.runtime.count("idleClosed");
    conn.close();
    // A peer that stopped reading must not hold the close open with a send buffer it never drains.
    if (conn.pendingSendBytes > 0) conn.destroy();
  }
}

/** null when the group's idleTimeout is 0 (never). */
export function idleSweepFor(runtime: WorkerRuntime): IdleSweep | null {
  const seconds = runtime.config.idleTimeout;
  return seconds > 0 ? new IdleSweep(runtime, seconds) : null;
}

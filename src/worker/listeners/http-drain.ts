// The drain order measured to lose no request: answer `Connection: close` for a window, stop listening, let in-flight finish.
import type { Server } from "bun";
import { endsBy, type DrainOptions } from "../listener.ts";

export class HttpDrain {
  /** While true, every response tells the client to open its next request elsewhere. */
  draining = false;
  /** Set while a drain waits: re-checks whether anything is still in flight. */
  #recheck: (() => void) | null = null;

  /** Every answer of a draining listener passes here, so its end is checked for too. */
  mark(response: Response): Response {
    if (!this.draining) return response;
    this.settled();
    try {
      response.headers.set("Connection", "close");
    } catch {
      // Immutable headers (a proxied fetch() response): Bun's own shutdown closes the connection instead.
    }
    return response;
  }

  /**
   * A request was answered or a WebSocket closed: Bun reports no event when its in-flight count drops, so the
   * listener says so, and the check runs once Bun has written the answer (the next turn; a larger body ends with
   * its connection, which the server's stop promise reports).
   */
  settled(): void {
    if (this.#recheck) setImmediate(this.#recheck);
  }

  /** `closeLongLived` ends what outlives stopTimeout (WebSockets get a close frame) before the hard stop. */
  async run(server: Server<unknown>, options: DrainOptions, closeLongLived?: () => void): Promise<void> {
    this.draining = true;
    await Bun.sleep(options.drainWindowMs);
    const quiet = this.#quiet(server);
    try {
      if (await endsBy(quiet, options.graceful ? options.gracefulTimeoutMs : options.stopTimeoutMs)) return;
      closeLongLived?.();
      if (!(await endsBy(quiet, 1000))) server.stop(true);
    } finally {
      this.#recheck = null;
    }
  }

  /**
   * Resolves when no request or WebSocket is in flight: when every connection has closed (the promise of
   * `stop(false)`), or at a settled() that finds none left, since a client's open connection with no request on it
   * (a browser's preconnect) keeps the stop promise waiting until it times out.
   */
  #quiet(server: Server<unknown>): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    const check = () => {
      if (server.pendingRequests === 0 && server.pendingWebSockets === 0) resolve();
    };
    this.#recheck = check;
    void server.stop(false).then(() => resolve());
    check();
    return promise;
  }
}

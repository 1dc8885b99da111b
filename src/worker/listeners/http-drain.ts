// The drain order measured to lose no request: answer `Connection: close` for a window, stop listening, let in-flight finish.
import type { Server } from "bun";
import { waitUntil, type DrainOptions } from "../listener.ts";

export class HttpDrain {
  /** While true, every response tells the client to open its next request elsewhere. */
  draining = false;

  mark(response: Response): Response {
    if (!this.draining) return response;
    try {
      response.headers.set("Connection", "close");
    } catch {
      // Immutable headers (a proxied fetch() response): Bun's own shutdown closes the connection instead.
    }
    return response;
  }

  /** `closeLongLived` ends what outlives stopTimeout (WebSockets get a close frame) before the hard stop. */
  async run(server: Server<unknown>, options: DrainOptions, closeLongLived?: () => void): Promise<void> {
    this.draining = true;
    await Bun.sleep(options.drainWindowMs);
    server.stop(false);
    const idle = () => server.pendingRequests === 0 && server.pendingWebSockets === 0;
    if (await waitUntil(idle, options.graceful ? Infinity : options.stopTimeoutMs)) return;
    closeLongLived?.();
    if (!(await waitUntil(idle, 1000))) server.stop(true);
  }
}

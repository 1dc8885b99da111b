// What every outbound connection kind shares: the reconnect timer and the error a failed connect reports.

/** A failed connect, passed to the connection's onError (Workerman's CONNECT_FAIL) before onClose. */
export class ConnectError extends Error {
  readonly code = "E_CONNECT";
}

export function connectFailed(target: string, cause: unknown): ConnectError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ConnectError(`cannot connect to ${target}: ${reason}`, { cause });
}

/** One pending reconnect at most: a second reconnect() replaces the first. */
export class ReconnectTimer {
  #handle: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly run: () => void) {}

  schedule(afterSeconds: number): void {
    this.cancel();
    const ms = Math.max(0, afterSeconds * 1000);
    this.#handle = setTimeout(() => {
      this.#handle = null;
      this.run();
    }, ms);
  }

  cancel(): void {
    if (this.#handle !== null) clearTimeout(this.#handle);
    this.#handle = null;
  }
}

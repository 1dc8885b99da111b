// A byte-capped queue in front of one IPC direction: counts what Bun has not yet written to the socket, drops what may be dropped past the cap.

/**
 * Bytes of IPC messages a process lets wait for one peer (a worker, or the master) before it drops the droppable
 * ones. Bun's `send` never refuses (it returns true and queues in its own memory while the peer does not read);
 * its optional callback runs once the message is written to the socket, which is how the pending bytes are known.
 */
export const IPC_QUEUE_CAP_BYTES = 16 * 1024 * 1024;
/** At most one report of drops per direction and peer in this window. */
export const DROP_REPORT_WINDOW_MS = 60_000;

/** Hands a message to the runtime; `written` runs once it left for the kernel (never, if the peer dies first). */
export type RawSend<M> = (message: M, written: (error?: unknown) => void) => void;

export interface OutboxOptions<M> {
  /** Whether a message may be dropped past the cap; the rest always go (they are few and bounded by their own rules). */
  droppable: (message: M) => boolean;
  capBytes?: number;
  /** Called at the first drop of a window, with the drops since the previous report (this one included). */
  onDropReport?: (droppedSinceReport: number) => void;
  /** Called at every drop (a counter elsewhere). */
  onDrop?: () => void;
  now?: () => number;
}

/** Says "report now" at most once per window, with how many were counted since the last report. */
export class DropReporter {
  #reportedAt = -Infinity;
  #unreported = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts `n` drops; returns the count to report (this window's first), or 0 while the window is still open. */
  note(n = 1): number {
    this.#unreported += n;
    const now = this.now();
    if (n <= 0 || now - this.#reportedAt < DROP_REPORT_WINDOW_MS) return 0;
    this.#reportedAt = now;
    const count = this.#unreported;
    this.#unreported = 0;
    return count;
  }
}

export class IpcOutbox<M extends object> {
  /** Estimated bytes handed to the runtime and not yet written to the socket. */
  pendingBytes = 0;
  /** Messages dropped since this outbox was made. */
  dropped = 0;
  readonly capBytes: number;
  readonly #reporter: DropReporter;

  constructor(
    private readonly rawSend: RawSend<M>,
    private readonly options: OutboxOptions<M>,
  ) {
    this.capBytes = options.capBytes ?? IPC_QUEUE_CAP_BYTES;
    this.#reporter = new DropReporter(options.now);
  }

  /** True when the message was handed on; false when it was dropped (counted). A throw of the runtime is passed on. */
  send(message: M): boolean {
    // The cap is checked before the message is sized: past it nothing droppable costs a serialization, and one
    // message may overshoot it by its own size at most.
    if (this.pendingBytes >= this.capBytes && this.options.droppable(message)) {
      this.#drop();
      return false;
    }
    const bytes = messageBytes(message);
    this.pendingBytes += bytes;
    let settled = false;
    const written = () => {
      if (settled) return;
      settled = true;
      this.pendingBytes -= bytes;
    };
    try {
      this.rawSend(message, written);
    } catch (err) {
      written();
      throw err;
    }
    return true;
  }

  get full(): boolean {
    return this.pendingBytes >= this.capBytes;
  }

  /** Why a droppable message is refused now (undefined while there is room). */
  get refusal(): string | undefined {
    return this.full ? `its IPC queue is full (${Math.round(this.pendingBytes / 1048576)} MiB not yet read, cap ${this.capBytes / 1048576} MiB)` : undefined;
  }

  #drop(): void {
    this.dropped++;
    this.options.onDrop?.();
    const report = this.#reporter.note();
    if (report > 0) this.options.onDropReport?.(report);
  }
}

// A fan-out sends one payload object to every process: its size is measured once.
const payloadBytes = new WeakMap<object, number>();
/** Envelope of a `{ type: "channel", payload }` message around its payload, plus the newline of JSON IPC. */
const ENVELOPE_BYTES = 32;

/**
 * About the message's size as JSON (Bun's `serialization: "json"`), found without writing it: a relay that sized each
 * 10 KB message with JSON.stringify made as much garbage again as the messages themselves. Strings count their UTF-8
 * bytes (escapes aside), numbers and literals a few bytes each.
 */
export function messageBytes(message: object): number {
  const payload = (message as { payload?: unknown }).payload;
  if (payload === null || typeof payload !== "object") return jsonBytes(message) + 1;
  let bytes = payloadBytes.get(payload);
  if (bytes === undefined) payloadBytes.set(payload, (bytes = jsonBytes(payload)));
  return bytes + ENVELOPE_BYTES;
}

function jsonBytes(value: unknown): number {
  switch (typeof value) {
    case "string":
      return Buffer.byteLength(value) + 2;
    case "number":
    case "boolean":
    case "bigint":
      return 8;
    case "object": {
      if (value === null) return 4;
      let bytes = 2;
      if (Array.isArray(value)) for (const item of value) bytes += jsonBytes(item) + 1;
      else for (const key in value) bytes += key.length + 4 + jsonBytes((value as Record<string, unknown>)[key]);
      return bytes;
    }
    default:
      return 0;
  }
}

// The Server-Sent Events helper handlers use: sse(request, (stream) => ...) returns the streaming Response.
export interface SseMessage {
  event?: string;
  id?: string;
  /** Asks the browser to wait this long before reconnecting. */
  retryMs?: number;
}

export interface SseStream {
  /** Sends one event (objects go as JSON); false once the client has gone. */
  send(data: unknown, message?: SseMessage): boolean;
  /** A comment line: ignored by EventSource, keeps proxies and idle timeouts from closing the stream. */
  comment(text?: string): boolean;
  close(): void;
  readonly closed: boolean;
  /** The client's Last-Event-ID header, for resuming after a reconnect. */
  readonly lastEventId: string | null;
  /** Runs when the client goes or close() is called (clear your timers and subscriptions here). */
  onClose(fn: () => void): void;
}

export interface SseOptions {
  /** Seconds between keep-alive comments; keep it below the group's idleTimeout. Default 15; 0 disables. */
  keepAliveSeconds?: number;
  headers?: HeadersInit;
}

const encoder = new TextEncoder();

function frame(data: unknown, message: SseMessage = {}): string {
  let out = "";
  if (message.event) out += `event: ${message.event.replace(/[\r\n]/g, "")}\n`;
  if (message.id !== undefined) out += `id: ${message.id.replace(/[\r\n]/g, "")}\n`;
  if (message.retryMs !== undefined) out += `retry: ${Math.max(0, Math.floor(message.retryMs))}\n`;
  const text = typeof data === "string" ? data : (JSON.stringify(data) ?? "");
  // Every line of the payload needs its own "data:" prefix, or a newline in it would end the event early.
  for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

interface StreamState {
  stream: SseStream;
  /** Called by the ReadableStream once it has a controller to write to. */
  attach(controller: ReadableStreamDefaultController<Uint8Array>): void;
  finish(): void;
}

/** The stream object a handler writes to; every way of ending it (close, abort, a failed write) runs the closers once. */
function streamState(request: Request): StreamState {
  const closers: (() => void)[] = [];
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    request.signal.removeEventListener("abort", finish);
    try {
      controller?.close();
    } catch {
      // already closed by the client going away
    }
    for (const fn of closers.splice(0)) fn();
  };
  const write = (text: string): boolean => {
    if (closed || controller === null) return false;
    try {
      controller.enqueue(encoder.encode(text));
      return true;
    } catch {
      finish();
      return false;
    }
  };
  const stream: SseStream = {
    send: (data, message) => write(frame(data, message)),
    comment: (text = "") => write(`: ${text.replace(/[\r\n]/g, " ")}\n\n`),
    close: finish,
    get closed() {
      return closed;
    },
    lastEventId: request.headers.get("last-event-id"),
    onClose: (fn) => void (closed ? fn() : closers.push(fn)),
  };
  const attach = (c: ReadableStreamDefaultController<Uint8Array>) => {
    controller = c;
    request.signal.addEventListener("abort", finish);
  };
  return { stream, attach, finish };
}

export function sse(request: Request, start: (stream: SseStream) => unknown, options: SseOptions = {}): Response {
  const { stream, attach, finish } = streamState(request);
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      attach(c);
      const seconds = options.keepAliveSeconds ?? 15;
      if (seconds > 0) {
        const keepAlive = setInterval(() => stream.comment(), seconds * 1000);
        stream.onClose(() => clearInterval(keepAlive));
      }
      // The first bytes go out at once, so the client sees the stream open before the first event.
      stream.comment("ok");
      Promise.resolve()
        .then(() => start(stream))
        .catch((err) => {
          console.error(`sse start threw: ${(err as Error)?.stack ?? err}`);
          finish();
        });
    },
    cancel: finish,
  });
  const headers = new Headers(options.headers);
  headers.set("Content-Type", "text/event-stream; charset=utf-8");
  headers.set("Cache-Control", "no-cache");
  // Tells nginx-style proxies not to buffer the stream.
  headers.set("X-Accel-Buffering", "no");
  return new Response(body, { headers });
}

// Closed-loop echo load over TCP (text lines, frames, JSON lines or WebSocket frames): every connection keeps `window` messages in flight.
import type { Socket } from "bun";
import type { LoadResult } from "./result.ts";
import { frameWire, jsonWire, repeat, textWire, upgradeRequest, webSocketWire, type EchoWire } from "./wire.ts";

export const STREAM_KINDS = ["text", "frame", "json", "ws"] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

export const WIRES: Record<StreamKind, () => EchoWire> = { text: textWire, frame: frameWire, json: jsonWire, ws: webSocketWire };

export interface StreamEchoOptions {
  kind: StreamKind;
  host: string;
  port: number;
  connections: number;
  window: number;
  seconds: number;
}

interface ConnState {
  /** Bytes of the HTTP upgrade answer read so far (ws), until the blank line. */
  header: string;
  live: boolean;
  checked: boolean;
  receivedBytes: number;
  replies: number;
  pending: Buffer | null;
}

export async function streamEcho(options: StreamEchoOptions): Promise<LoadResult> {
  const wire = WIRES[options.kind]();
  const expected = options.kind === "ws" ? Buffer.concat([Buffer.from([0x81, wire.replySize - 2]), wire.request.subarray(6)]) : Buffer.from(wire.request);
  const block = repeat(wire.request, options.window);
  // The views a refill writes, made once: n replies in, n requests out.
  const refills = Array.from({ length: options.window + 1 }, (_, n) => block.subarray(0, n * wire.request.length));
  let running = true;
  let counting = false;
  let counted = 0;
  let errors = 0;

  const write = (socket: Socket<ConnState>, bytes: Uint8Array) => {
    const state = socket.data;
    if (state.pending) {
      state.pending = Buffer.concat([state.pending, bytes]);
      return;
    }
    const written = socket.write(bytes);
    if (written < bytes.length) state.pending = Buffer.from(bytes.subarray(Math.max(0, written)));
  };

  /** Counts whole replies by size: every reply has the same length, so no parsing per message. */
  const onReplies = (socket: Socket<ConnState>, chunk: Uint8Array) => {
    const state = socket.data;
    if (!state.checked && chunk.length >= expected.length) {
      state.checked = true;
      if (!Buffer.from(chunk.buffer, chunk.byteOffset, expected.length).equals(expected)) errors++;
    }
    state.receivedBytes += chunk.length;
    const replies = Math.floor(state.receivedBytes / wire.replySize);
    const fresh = replies - state.replies;
    state.replies = replies;
    if (counting) counted += fresh;
    if (running && fresh > 0) write(socket, fresh < refills.length ? refills[fresh]! : repeat(wire.request, fresh));
  };

  const ready = Array.from({ length: options.connections }, () =>
    connectOne(options, {
      start: (socket) => write(socket, block),
      onReplies,
      write,
      fail: () => errors++,
    }),
  );
  const sockets = (await Promise.all(ready)).filter((s) => s !== null);
  if (sockets.length === 0) throw new Error(`no connection to ${options.kind} port ${options.port}`);

  counting = true;
  const started = performance.now();
  await Bun.sleep(options.seconds * 1000);
  counting = false;
  const seconds = (performance.now() - started) / 1000;
  running = false;
  for (const socket of sockets) socket.terminate();
  const lost = options.connections - sockets.length;
  return { messages: counted, seconds, errors: errors + lost, note: lost ? `${lost} connections failed` : undefined };
}

interface ConnectionHandlers {
  /** The connection is live (connected, and upgraded for ws): put the first window in flight. */
  start: (socket: Socket<ConnState>) => void;
  onReplies: (socket: Socket<ConnState>, chunk: Uint8Array) => void;
  write: (socket: Socket<ConnState>, bytes: Uint8Array) => void;
  fail: () => void;
}

/** One load connection: resolves with its socket once live, or null when it could not connect or upgrade. */
function connectOne(options: StreamEchoOptions, handlers: ConnectionHandlers): Promise<Socket<ConnState> | null> {
  const { promise, resolve } = Promise.withResolvers<Socket<ConnState> | null>();
  const start = (socket: Socket<ConnState>) => {
    socket.data.live = true;
    resolve(socket);
    handlers.start(socket);
  };
  Bun.connect<ConnState>({
    hostname: options.host,
    port: options.port,
    data: { header: "", live: false, checked: false, receivedBytes: 0, replies: 0, pending: null },
    socket: {
      open(socket) {
        if (options.kind === "ws") socket.write(upgradeRequest(options.host, options.port));
        else start(socket);
      },
      data(socket, chunk) {
        const state = socket.data;
        if (state.live) return handlers.onReplies(socket, chunk);
        state.header += chunk.toString("latin1");
        const end = state.header.indexOf("\r\n\r\n");
        if (end === -1) return;
        if (!state.header.startsWith("HTTP/1.1 101")) {
          handlers.fail();
          socket.end();
          return resolve(null);
        }
        start(socket);
      },
      drain(socket) {
        const pending = socket.data.pending;
        socket.data.pending = null;
        if (pending) handlers.write(socket, pending);
      },
      close() {
        resolve(null);
      },
      error() {
        handlers.fail();
      },
    },
  }).catch(() => {
    handlers.fail();
    resolve(null);
  });
  return promise;
}

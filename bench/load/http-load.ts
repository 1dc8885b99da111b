// HTTP keep-alive load for machines without wrk: `pipeline` requests in flight per connection (1 as wrk does by default).
import type { Socket } from "bun";
import type { LoadResult } from "./result.ts";

export interface HttpLoadOptions {
  host: string;
  port: number;
  connections: number;
  seconds: number;
  /** Requests written at once; the next batch goes when all are answered. */
  pipeline?: number;
}

interface ConnState {
  buffered: Buffer;
  awaiting: number;
}

/** Reads complete responses off the front of `buffer`; returns [complete responses, non-200 among them, bytes used]. */
function takeResponses(buffer: Buffer): [number, number, number] {
  let done = 0;
  let bad = 0;
  let at = 0;
  for (;;) {
    const end = buffer.indexOf("\r\n\r\n", at);
    if (end === -1) break;
    const head = buffer.toString("latin1", at, end);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (end + 4 + length > buffer.length) break;
    done++;
    if (!head.startsWith("HTTP/1.1 200")) bad++;
    at = end + 4 + length;
  }
  return [done, bad, at];
}

export async function httpLoad(options: HttpLoadOptions): Promise<LoadResult> {
  const depth = options.pipeline ?? 1;
  const request = Buffer.from(`GET / HTTP/1.1\r\nHost: ${options.host}:${options.port}\r\n\r\n`.repeat(depth));
  let running = true;
  let counting = false;
  let counted = 0;
  let errors = 0;
  const connect = () =>
    Bun.connect<ConnState>({
      hostname: options.host,
      port: options.port,
      data: { buffered: Buffer.alloc(0), awaiting: depth },
      socket: {
        open(socket) {
          socket.write(request);
        },
        data(socket, chunk) {
          const state = socket.data;
          const buffer = state.buffered.length ? Buffer.concat([state.buffered, chunk]) : chunk;
          const [done, bad, used] = takeResponses(buffer);
          state.buffered = used === buffer.length ? Buffer.alloc(0) : Buffer.from(buffer.subarray(used));
          if (counting) {
            counted += done - bad;
            errors += bad;
          }
          state.awaiting -= done;
          if (running && state.awaiting <= 0) {
            state.awaiting = depth;
            socket.write(request);
          }
        },
        error() {
          errors++;
        },
      },
    });
  const settled = await Promise.allSettled(Array.from({ length: options.connections }, connect));
  const sockets = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value as Socket<ConnState>] : []));
  errors += options.connections - sockets.length;
  if (sockets.length === 0) throw new Error(`no connection to http port ${options.port}`);
  counting = true;
  const started = performance.now();
  await Bun.sleep(options.seconds * 1000);
  counting = false;
  const seconds = (performance.now() - started) / 1000;
  running = false;
  for (const socket of sockets) socket.terminate();
  return { messages: counted, seconds, errors };
}

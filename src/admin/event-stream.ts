// One live-feed client as a text/event-stream body with a bounded queue: a client that stops reading is dropped, never buffered for.
import type { LiveEvent } from "./contract.ts";
import type { LiveFeed } from "./live-feed.ts";

/** Bytes queued for one client past which it is dropped; with MAX_STREAMS clients this bounds the feed's memory. */
export const MAX_QUEUED_BYTES = 512 * 1024;

export interface EventStreamOptions {
  maxQueuedBytes?: number;
  /** Called once when the stream ends, for any reason. */
  onEnd: (why: "closed" | "dropped") => void;
}

const encoder = new TextEncoder();
/** One event goes to every client as the same bytes: encoded once, however many streams are open. */
const encoded = new WeakMap<LiveEvent, Uint8Array>();

function frame(event: string, data: string, retry?: number): Uint8Array {
  // JSON has no raw newlines, so one data line carries it whole.
  return encoder.encode(`event: ${event}\n${retry === undefined ? "" : `retry: ${retry}\n`}data: ${data}\n\n`);
}

function eventFrame(event: LiveEvent): Uint8Array {
  let bytes = encoded.get(event);
  if (!bytes) encoded.set(event, (bytes = frame(event.type, JSON.stringify(event))));
  return bytes;
}

/**
 * The stream's queue counts bytes. Bun pulls from it only as fast as the socket drains, so the queue is exactly
 * what a slow reader has not taken: past the cap the stream is errored, which frees the queue at once and closes
 * the connection (the dashboard reconnects and catches up from /api/status).
 */
export function eventStream(feed: LiveFeed, options: EventStreamOptions): ReadableStream<Uint8Array> {
  const cap = options.maxQueuedBytes ?? MAX_QUEUED_BYTES;
  const highWaterMark = Math.min(64 * 1024, cap);
  let unsubscribe = () => {};
  let ended = false;
  const end = (why: "closed" | "dropped") => {
    if (ended) return;
    ended = true;
    unsubscribe();
    options.onEnd(why);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(frame("hello", JSON.stringify({ at: Date.now(), pid: process.pid }), 1000));
        unsubscribe = feed.subscribe((event: LiveEvent) => {
          if (ended) return;
          if (highWaterMark - (controller.desiredSize ?? 0) > cap) {
            end("dropped");
            controller.error(new Error(`live-feed client dropped: over ${cap} bytes unread`));
            return;
          }
          controller.enqueue(eventFrame(event));
        });
      },
      cancel() {
        end("closed");
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark }),
  );
}

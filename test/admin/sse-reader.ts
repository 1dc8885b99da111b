// Reads a text/event-stream response frame by frame, as an EventSource would, for tests of GET /api/events.
export interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

export interface SseReader {
  /** Resolves with the first message (from now on, or already buffered) that matches, or rejects after `timeoutMs`. */
  next: (match: (m: SseMessage) => boolean, timeoutMs?: number) => Promise<SseMessage>;
  close: () => void;
}

export function readSse(response: Response): SseReader {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const buffered: SseMessage[] = [];
  let waiting: (() => void) | undefined;
  let text = "";
  let done = false;
  (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) break;
      text += chunk.value;
      let end: number;
      while ((end = text.indexOf("\n\n")) >= 0) {
        const frame = text.slice(0, end);
        text = text.slice(end + 2);
        const message: SseMessage = { event: "message", data: "" };
        const data: string[] = [];
        for (const line of frame.split("\n")) {
          const colon = line.indexOf(":");
          if (colon === 0) continue;
          const field = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") message.event = value;
          else if (field === "id") message.id = value;
          else if (field === "data") data.push(value);
        }
        message.data = data.join("\n");
        buffered.push(message);
      }
      waiting?.();
    }
    done = true;
    waiting?.();
  })();
  return {
    next(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event; saw ${buffered.map((m) => m.event).join(", ")}`)), timeoutMs);
        const check = () => {
          const index = buffered.findIndex(match);
          if (index >= 0) {
            clearTimeout(timer);
            resolve(buffered.splice(index, 1)[0]!);
          } else if (done) {
            clearTimeout(timer);
            reject(new Error("the event stream ended"));
          } else waiting = check;
        };
        check();
      });
    },
    close: () => void reader.cancel().catch(() => {}),
  };
}

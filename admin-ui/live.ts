// The live feed (GET /api/events) read with a streaming fetch, which can send the X-Session header (EventSource cannot), reopened by us.
import type { LiveEvent, StatsTick } from "../src/admin/contract.ts";
import { authHeaders, sessionEnded } from "./api.ts";
import { recordTick } from "./chart-data.ts";
import { applyTick, feed, pushEvent, refreshStatus, scheduleStatusRefresh } from "./state.ts";

/** Events that do not change the process table: no status refresh after them. */
const NO_REFRESH = new Set(["hello", "admin-action", "handler-error", "events-suppressed"]);

function dispatch(type: string, data: string): void {
  if (type === "hello") return;
  if (type === "stats") {
    const tick = JSON.parse(data) as StatsTick;
    applyTick(tick);
    recordTick(tick);
    return;
  }
  pushEvent(JSON.parse(data) as LiveEvent);
  if (!NO_REFRESH.has(type)) scheduleStatusRefresh();
}

/** Splits a text/event-stream body into (event, data) frames as they arrive; resolves when the stream ends. */
export async function readFrames(body: ReadableStream<Uint8Array>, onFrame: (type: string, data: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    text += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = text.indexOf("\n\n")) >= 0) {
      let type = "message";
      const data: string[] = [];
      for (const line of text.slice(0, end).split("\n")) {
        if (line.startsWith("event:")) type = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      text = text.slice(end + 2);
      if (data.length > 0) onFrame(type, data.join("\n"));
    }
  }
}

/** Opens the feed; the returned function closes it (logout). */
export function startLive(): () => void {
  let aborter: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = 500;
  let stopped = false;

  const lost = () => {
    if (stopped) return;
    // The master restarted, or dropped us for reading too slowly (a hidden tab): try again, more slowly each time.
    feed.value = retryMs > 500 ? "offline" : "reconnecting";
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => void open(), retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };

  const open = async () => {
    if (stopped) return;
    aborter = new AbortController();
    if (feed.value !== "reconnecting" && feed.value !== "offline") feed.value = "connecting";
    let response: Response;
    try {
      response = await fetch("/api/events", { headers: authHeaders(), credentials: "omit", cache: "no-store", signal: aborter.signal });
    } catch {
      return lost();
    }
    if (response.status === 401) return sessionEnded();
    if (!response.ok || !response.body) return lost();
    feed.value = "live";
    retryMs = 500;
    // After a master restart everything may have changed: pids, generation, even the version.
    void refreshStatus().catch(() => undefined);
    try {
      await readFrames(response.body, dispatch);
    } catch {
      // aborted (logout) or the connection broke: either way, below
    }
    lost();
  };

  void open();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    aborter?.abort();
    feed.value = "offline";
  };
}

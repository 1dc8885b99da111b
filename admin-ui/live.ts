// The SSE feed (GET /api/events): one EventSource for everything live, reopened by us when the browser gives up.
import type { LiveEvent, StatsTick } from "../src/admin/contract.ts";
import { recordTick } from "./chart-data.ts";
import { applyTick, feed, pushEvent, refreshStatus, scheduleStatusRefresh } from "./state.ts";

const EVENT_TYPES = [
  "process-started",
  "process-ready",
  "process-exited",
  "handler-error",
  "reload-begun",
  "reload-finished",
  "reload-failed",
  "memory-limit",
  "admin-action",
];

/** Opens the feed; the returned function closes it (logout). */
export function startLive(): () => void {
  let source: EventSource | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = 500;
  let stopped = false;

  const open = () => {
    source = new EventSource("/api/events", { withCredentials: true });
    feed.value = "connecting";
    source.onopen = () => {
      feed.value = "live";
      retryMs = 500;
      // After a master restart everything may have changed: pids, generation, even the version.
      void refreshStatus().catch(() => undefined);
    };
    source.addEventListener("stats", (e) => {
      const tick = JSON.parse((e as MessageEvent<string>).data) as StatsTick;
      applyTick(tick);
      recordTick(tick);
    });
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (e) => {
        pushEvent(JSON.parse((e as MessageEvent<string>).data) as LiveEvent);
        if (type !== "admin-action" && type !== "handler-error") scheduleStatusRefresh();
      });
    }
    source.onerror = () => {
      if (source?.readyState === EventSource.CONNECTING) {
        feed.value = "reconnecting";
        return;
      }
      // CLOSED: the browser stops for good after an HTTP error (a restarted master may answer 401). Probe, then reopen.
      source?.close();
      feed.value = "offline";
      scheduleRetry();
    };
  };

  const scheduleRetry = () => {
    if (stopped) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(async () => {
      try {
        await refreshStatus();
        if (!stopped) open();
      } catch {
        // 401 already sent the user to the login form (session signal); otherwise keep trying, more slowly.
        retryMs = Math.min(retryMs * 2, 10_000);
        scheduleRetry();
      }
    }, retryMs);
  };

  open();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    source?.close();
    feed.value = "offline";
  };
}

// What the master says on its console about its workers' lives (the admin plane keeps the full record).
import { suppressedText } from "./event-gate.ts";
import type { SupervisorEvent } from "./events.ts";

export function logEvent(event: SupervisorEvent): void {
  switch (event.type) {
    case "process-exited": {
      if (event.expected) return;
      const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`;
      console.error(`worker ${event.group}#${event.index} (pid ${event.pid}) exited with ${how}; restarting in ${event.restartInMs} ms`);
      return;
    }
    case "reload-begun":
      console.log(`reload ${event.graceful ? "(graceful) " : ""}to generation ${event.generation}: ${event.groups.join(", ") || "no reloadable group"}`);
      return;
    case "reload-finished":
      console.log(`reload to generation ${event.generation} finished: ${event.replaced} replaced, ${event.failed} failed`);
      return;
    case "reload-failed":
      console.error(`reload: new worker ${event.group}#${event.index} (pid ${event.pid}) did not start (${event.message}); the old one keeps serving`);
      return;
    case "handler-error":
      // Reaches here through the EventGate, so a handler that throws on every request is logged a few times a minute.
      console.error(`[${event.group} ${event.pid}] ${event.callback} threw: ${event.stack ?? event.message}`);
      return;
    case "events-suppressed":
      console.warn(`${event.group ? `[${event.group}] ` : ""}${suppressedText(event)}`);
      return;
    case "memory-limit":
      console.warn(`worker ${event.group}#${event.index} (pid ${event.pid}) uses ${Math.round(event.rssBytes / 1048576)} MiB, over its ${Math.round(event.limitBytes / 1048576)} MiB limit: replacing it`);
      return;
  }
}

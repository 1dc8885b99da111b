// What the master says on its console about its workers' lives (the admin plane keeps the full record).
import { suppressedText } from "./event-gate.ts";
import type { SupervisorEvent } from "./events.ts";
import { reasonBlock } from "./failure-reason.ts";
import { ipcDroppedText } from "./ipc-drops.ts";

export function logEvent(event: SupervisorEvent): void {
  switch (event.type) {
    case "process-exited": {
      if (event.expected) return;
      const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`;
      const then = event.restartInMs === undefined ? "" : `; restarting in ${event.restartInMs} ms`;
      console.error(`worker ${event.group}#${event.index} (pid ${event.pid}) exited with ${how}${then}`);
      return;
    }
    case "reload-begun":
      console.log(`reload ${event.graceful ? "(graceful) " : ""}to generation ${event.generation}: ${event.groups.join(", ") || "no reloadable group"}`);
      return;
    case "reload-settling":
      console.log(`reload to generation ${event.generation}: every new ${event.group} process is ready; settle window of ${event.healthySeconds} s`);
      return;
    case "reload-finished": {
      const rolledBack = event.rolledBack.length ? `, rolled back: ${event.rolledBack.join(", ")}` : "";
      console.log(`reload to generation ${event.generation} ${event.state}: ${event.replaced} replaced${rolledBack}`);
      return;
    }
    case "reload-probation":
    case "reload-probation-ended":
      return logProbation(event);
    case "reload-failed":
      console.error(`reload of ${event.group} to generation ${event.generation} rolled back, the old processes keep serving: ${reasonBlock(event.reason)}`);
      return;
    case "retry":
      console.log(`retry ${event.group}: ${event.slots} waiting process(es) started now`);
      return;
    case "handler-error":
      // Reaches here through the EventGate, so a handler that throws on every request is logged a few times a minute.
      console.error(`[${event.group} ${event.pid}] ${event.callback} threw: ${event.stack ?? event.message}`);
      return;
    case "events-suppressed":
      console.warn(`${event.group ? `[${event.group}] ` : ""}${suppressedText(event)}`);
      return;
    case "ipc-dropped":
      console.warn(ipcDroppedText(event));
      return;
    case "process-unresponsive":
      console.error(
        `worker ${event.group}#${event.index} (pid ${event.pid}) sent nothing for ${(event.silentMs / 1000).toFixed(1)} s (watchdogSeconds ${event.watchdogSeconds}): killing and replacing it`,
      );
      return;
    case "spawn-failed": {
      const then = event.retryInMs === undefined ? "" : `; trying again in ${event.retryInMs} ms`;
      console.error(`worker ${event.group}#${event.index}: ${event.message}${then}`);
      return;
    }
    case "memory-limit":
      console.warn(
        `worker ${event.group}#${event.index} (pid ${event.pid}) uses ${Math.round(event.rssBytes / 1048576)} MiB, over its ${Math.round(event.limitBytes / 1048576)} MiB limit: replacing it`,
      );
      return;
  }
}

function logProbation(event: Extract<SupervisorEvent, { type: "reload-probation" | "reload-probation-ended" }>): void {
  const { group, generation } = event;
  if (event.type === "reload-probation") {
    console.log(`reload to generation ${generation}: ${group} replaced; ${event.parked} old process(es) parked for probation`);
  } else if (event.outcome === "rolled-back") {
    console.error(`reload of ${group} to generation ${generation} rolled back, the parked processes serve again: ${reasonBlock(event.reason!)}`);
  } else {
    const how = event.outcome === "passed" ? "passed" : `ended by ${event.endedBy}`;
    console.log(`probation of ${group} (generation ${generation}) ${how}: the parked processes stop`);
  }
}

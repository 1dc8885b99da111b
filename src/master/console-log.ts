// What the master says on its console about its workers' lives, and how loudly (the admin plane keeps the full record).
import { suppressedText } from "./event-gate.ts";
import type { SupervisorEvent } from "./events.ts";
import { reasonBlock } from "./failure-reason.ts";
import { ipcDroppedText } from "./ipc-drops.ts";
import type { LogLevel } from "./json-log.ts";

/** What the console says about an event, and how loudly; null for the events it leaves to the admin plane. */
export interface EventLine {
  level: LogLevel;
  text: string;
}

const info = (text: string): EventLine => ({ level: "info", text });
const warn = (text: string): EventLine => ({ level: "warn", text });
const error = (text: string): EventLine => ({ level: "error", text });

const METHOD = { info: "log", warn: "warn", error: "error" } as const;

/** log.format "text": the sentence on the master's console (and so in the daemon log). */
export function logEvent(event: SupervisorEvent): void {
  const line = eventLine(event);
  if (line) console[METHOD[line.level]](line.text);
}

export function eventLine(event: SupervisorEvent): EventLine | null {
  switch (event.type) {
    case "process-exited": {
      if (event.expected) return null;
      const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`;
      const then = event.restartInMs === undefined ? "" : `; restarting in ${event.restartInMs} ms`;
      return error(`worker ${event.group}#${event.index} (pid ${event.pid}) exited with ${how}${then}`);
    }
    case "reload-begun":
      return info(`reload ${event.graceful ? "(graceful) " : ""}to generation ${event.generation}: ${event.groups.join(", ") || "no reloadable group"}`);
    case "reload-settling":
      return info(`reload to generation ${event.generation}: every new ${event.group} process is ready; settle window of ${event.healthySeconds} s`);
    case "reload-finished": {
      const rolledBack = event.rolledBack.length ? `, rolled back: ${event.rolledBack.join(", ")}` : "";
      return info(`reload to generation ${event.generation} ${event.state}: ${event.replaced} replaced${rolledBack}`);
    }
    case "reload-probation":
    case "reload-probation-ended":
      return probationLine(event);
    case "reload-failed":
      return error(`reload of ${event.group} to generation ${event.generation} rolled back, the old processes keep serving: ${reasonBlock(event.reason)}`);
    case "retry":
      return info(`retry ${event.group}: ${event.slots} waiting process(es) started now`);
    case "handler-error":
      // Reaches here through the EventGate, so a handler that throws on every request is logged a few times a minute.
      return error(`[${event.group} ${event.pid}] ${event.callback} threw: ${event.stack ?? event.message}`);
    case "events-suppressed":
      return warn(`${event.group ? `[${event.group}] ` : ""}${suppressedText(event)}`);
    case "ipc-dropped":
      return warn(ipcDroppedText(event));
    case "process-unresponsive":
      return error(
        `worker ${event.group}#${event.index} (pid ${event.pid}) sent nothing for ${(event.silentMs / 1000).toFixed(1)} s (watchdogSeconds ${event.watchdogSeconds}): killing and replacing it`,
      );
    case "spawn-failed": {
      const then = event.retryInMs === undefined ? "" : `; trying again in ${event.retryInMs} ms`;
      return error(`worker ${event.group}#${event.index}: ${event.message}${then}`);
    }
    case "memory-limit":
      return warn(
        `worker ${event.group}#${event.index} (pid ${event.pid}) uses ${Math.round(event.rssBytes / 1048576)} MiB, over its ${Math.round(event.limitBytes / 1048576)} MiB limit: replacing it`,
      );
    default:
      return null;
  }
}

function probationLine(event: Extract<SupervisorEvent, { type: "reload-probation" | "reload-probation-ended" }>): EventLine {
  const { group, generation } = event;
  if (event.type === "reload-probation") {
    return info(`reload to generation ${generation}: ${group} replaced; ${event.parked} old process(es) parked for probation`);
  } else if (event.outcome === "rolled-back") {
    return error(`reload of ${group} to generation ${generation} rolled back, the parked processes serve again: ${reasonBlock(event.reason!)}`);
  } else {
    const how = event.outcome === "passed" ? "passed" : `ended by ${event.endedBy}`;
    return info(`probation of ${group} (generation ${generation}) ${how}: the parked processes stop`);
  }
}

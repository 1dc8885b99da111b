// GET /api/logs: the master's recent log lines, filtered by group and pid; `follow=1` streams new ones as NDJSON.
import type { Context, Hono } from "hono";
import { stream } from "hono/streaming";
import { matchesFilter, type LogFilter } from "../../master/log-lines.ts";
import type { RecentLine } from "../../master/recent-log.ts";
import type { AdminEnv, RouteDeps } from "../context.ts";
import type { LogItem, LogsResponse } from "../contract.ts";
import { intParam } from "../query-params.ts";
import { AppError } from "../../errors.ts";

/** Each follower holds a socket and a subscription. */
const MAX_FOLLOWERS = 16;
/** Lines written to a follower that has not taken them yet; past this it is too slow and is dropped (not the master). */
const MAX_PENDING_WRITES = 1000;

function filterOf(c: Context<AdminEnv>): LogFilter {
  const pid = c.req.query("pid");
  return {
    group: c.req.query("group") || undefined,
    pid: pid ? intParam(pid, "pid", 0, 1, 2 ** 31) : undefined,
  };
}

const item = ({ seq, at, source, pid, group, index, text }: RecentLine): LogItem =>
  source === "master" ? { seq, at, source, pid, text } : { seq, at, source, pid, group, index, text };

export function logRoutes(app: Hono<AdminEnv>, { ctx }: RouteDeps): void {
  let followers = 0;
  app.get("/api/logs", (c) => {
    const logs = ctx.logs;
    if (!logs) throw new AppError("E_UNAVAILABLE", "this master keeps no log lines");
    const filter = filterOf(c);
    const limit = intParam(c.req.query("n"), "n", 100, 1, 2000);
    const after = intParam(c.req.query("after"), "after", 0, 0, Number.MAX_SAFE_INTEGER);
    const keep = (line: RecentLine) => matchesFilter(line, filter);
    const items = logs.query(keep, limit, after).map(item);
    if (c.req.query("follow") !== "1") {
      const body: LogsResponse = { items, errors: [], lastSeq: logs.lastSeq };
      return c.json(body);
    }
    if (followers >= MAX_FOLLOWERS) throw new AppError("E_UNAVAILABLE", `too many log followers (${MAX_FOLLOWERS})`);
    followers++;
    // New lines may be minutes apart: the stream must not fall to the server's idle timeout meanwhile.
    c.env?.timeout?.(c.req.raw, 0);
    c.header("Content-Type", "application/x-ndjson; charset=utf-8");
    c.header("Cache-Control", "no-store");
    return stream(c, async (out) => {
      const ended = Promise.withResolvers<void>();
      let pending = 0;
      const write = (line: LogItem) => {
        if (++pending > MAX_PENDING_WRITES) return ended.resolve();
        out.write(JSON.stringify(line) + "\n").then(
          () => pending--,
          () => ended.resolve(),
        );
      };
      const unsubscribe = logs.subscribe((line) => keep(line) && write(item(line)));
      out.onAbort(() => ended.resolve());
      try {
        for (const line of items) write(line);
        await ended.promise;
      } finally {
        unsubscribe();
        followers--;
      }
    });
  });
}

// GET /api/logs: the master's recent log lines, filtered by group and pid; `follow=1` streams new ones as NDJSON.
import type { Context } from "hono";
import { z } from "zod";
import { stream } from "hono/streaming";
import { matchesFilter, type LogFilter } from "../../master/log-lines.ts";
import type { RecentLine, RecentLog } from "../../master/recent-log.ts";
import type { AdminEnv, RouteDeps } from "../context.ts";
import type { LogItem, LogsResponse } from "../contract.ts";
import { logsResponse } from "../api-schemas.ts";
import { intQuery, readQuery, textQuery } from "../query-params.ts";
import { route, type RouteSpec } from "../route-spec.ts";
import { AppError } from "../../errors.ts";

/** Each follower holds a socket and a subscription. */
const MAX_FOLLOWERS = 16;
/** Lines written to a follower that has not taken them yet; past this it is too slow and is dropped (not the master). */
const MAX_PENDING_WRITES = 1000;

const logsQuery = z.object({
  group: textQuery('A worker group, or "master" for the master\'s own lines'),
  pid: intQuery("pid", undefined, 1, 2 ** 31, "One process"),
  n: intQuery("n", 100, 1, 2000, "The newest n matching lines"),
  after: intQuery("after", 0, 0, Number.MAX_SAFE_INTEGER, "Only lines after this seq (lastSeq of an earlier answer)"),
  follow: textQuery("1: stream them as NDJSON, then each new one"),
});

const item = ({ seq, at, source, pid, group, index, text }: RecentLine): LogItem =>
  source === "master" ? { seq, at, source, pid, text } : { seq, at, source, pid, group, index, text };

export function logRoutes({ ctx }: RouteDeps): RouteSpec[] {
  let followers = 0;
  const logsRoute = route({
    method: "GET",
    path: "/api/logs",
    summary: "The master's recent log lines (its own and its workers' output), filtered; follow=1 streams new ones as NDJSON",
    auth: "token",
    query: logsQuery,
    ok: { status: 200, description: "The newest n lines, oldest first (with follow=1: application/x-ndjson, one LogItem per line)", schema: logsResponse },
    refuses: ["E_UNAVAILABLE"],
    handler: (c) => {
      const logs = ctx.logs;
      if (!logs) throw new AppError("E_UNAVAILABLE", "this master keeps no log lines");
      const q = readQuery(c, logsQuery);
      const filter: LogFilter = { group: q.group || undefined, pid: q.pid };
      const keep = (line: RecentLine) => matchesFilter(line, filter);
      const items = logs.query(keep, q.n, q.after).map(item);
      if (q.follow !== "1") {
        const body: LogsResponse = { items, errors: [], lastSeq: logs.lastSeq };
        return c.json(body);
      }
      if (followers >= MAX_FOLLOWERS) throw new AppError("E_UNAVAILABLE", `too many log followers (${MAX_FOLLOWERS})`);
      followers++;
      // New lines may be minutes apart: the stream must not fall to the server's idle timeout meanwhile.
      c.env?.timeout?.(c.req.raw, 0);
      return follow(c, logs, items, keep, () => followers--);
    },
  });
  return [logsRoute];
}

/** Streams the lines as NDJSON, then each new matching one, until the client leaves or falls too far behind. */
function follow(c: Context<AdminEnv>, logs: RecentLog, items: LogItem[], keep: (line: RecentLine) => boolean, onEnd: () => void): Response {
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
      onEnd();
    }
  });
}

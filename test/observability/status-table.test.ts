// The status table's traffic columns: 5xx/thrown, p50/p99, lag marked past 100 ms, and a total row closing each group.
import { describe, expect, test } from "bun:test";
import type { StatusGroup, StatusProcess, StatusResponse } from "../../src/admin/contract.ts";
import { formatSeconds, statusTable } from "../../src/commands/status-table.ts";
import { NOTHING_REPORTED } from "../../src/master/status.ts";
import { NO_TRAFFIC } from "../../src/master/traffic-figures.ts";

const row = (over: Partial<StatusProcess>): StatusProcess => ({
  pid: 1,
  group: "web",
  index: 0,
  generation: 1,
  state: "ready",
  startedAt: Date.now(),
  restarts: 0,
  ...NOTHING_REPORTED,
  rssBytes: 10 * 1048576,
  ...over,
});

const group = (over: Partial<StatusGroup>): StatusGroup => ({
  name: "web",
  listen: "http://127.0.0.1:8080",
  count: 2,
  reloadable: true,
  healthySeconds: 2,
  requests: 0,
  ...NO_TRAFFIC,
  ...over,
});

const master = { pid: 9, version: "0", startedAt: Date.now(), configPath: "/x", name: "x", tcpMigrateReq: 1 };

/** The table's rows as cells, keyed by the header (cells hold no spaces here but "N up" and "N processes"). */
function cells(text: string): Record<string, string>[] {
  const [head, , ...lines] = text.split("\n");
  const starts = [...head!.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index! }));
  return lines
    .filter((l) => !l.startsWith("!"))
    .map((line) => Object.fromEntries(starts.map((s, i) => [s.name, line.slice(s.at, starts[i + 1]?.at ?? line.length).trim()])));
}

describe("status table", () => {
  const status: StatusResponse = {
    master,
    groups: [
      group({ requests: 120, errors: { http5xx: 4, handler: 5 }, latency: { p50: 0.0004, p99: 0.031 }, eventLoopLagSeconds: 0.6 }),
      group({ name: "chat", listen: "websocket://127.0.0.1:8081", count: 1, requests: 9, errors: { http5xx: 0, handler: 1 }, eventLoopLagSeconds: 0.002 }),
    ],
    processes: [
      row({ pid: 11, requests: 70, connections: 2, errors: { http5xx: 3, handler: 3 }, latency: { p50: 0.0003, p99: 0.02 }, eventLoopLagSeconds: 0.6 }),
      row({
        pid: 12,
        index: 1,
        requests: 40,
        connections: 1,
        errors: { http5xx: 1, handler: 2 },
        latency: { p50: 0.0005, p99: 0.04 },
        eventLoopLagSeconds: 0.001,
      }),
      row({ pid: 21, group: "chat", requests: 9, connections: 5, errors: { http5xx: 0, handler: 1 }, eventLoopLagSeconds: 0.002 }),
    ],
  };
  const text = statusTable(status);
  const rows = cells(text);

  test("each group's processes, then its total row (requests and errors from the group, exited processes included), then all", () => {
    expect(rows.map((r) => `${r.pid} ${r.group}`)).toEqual(["11 web", "12 web", "group web", "21 chat", "group chat", "total 3 processes"]);
    const web = rows[2]!;
    expect(web).toMatchObject({ state: "2/2 up", conns: "3", requests: "120", "5xx/thrown": "4/5", p50: "0.40ms", p99: "31ms", lag: "600ms!" });
    expect(web.memory).toBe("20.0 MiB");
    expect(rows[4]).toMatchObject({ state: "1/1 up", requests: "9", "5xx/thrown": "-/1", p50: "-", p99: "-", lag: "2.00ms" });
    expect(rows[5]).toMatchObject({ conns: "8", requests: "119" });
  });

  test("per process: 5xx/thrown, p50/p99, and lag marked ! past 100 ms with a note under the table", () => {
    expect(rows[0]).toMatchObject({ "5xx/thrown": "3/3", p50: "0.30ms", p99: "20ms", lag: "600ms!" });
    expect(rows[1]).toMatchObject({ "5xx/thrown": "1/2", lag: "1.00ms" });
    expect(rows[3]).toMatchObject({ "5xx/thrown": "-/1", p99: "-" });
    expect(text.split("\n").at(-1)).toStartWith("! event-loop lag past 100ms");
    const calm = statusTable({
      ...status,
      groups: status.groups.map((g) => ({ ...g, eventLoopLagSeconds: 0.01 })),
      processes: status.processes.map((p) => ({ ...p, eventLoopLagSeconds: 0.01 })),
    });
    expect(calm).not.toContain("!");
  });

  test("seconds read as a person reads them", () => {
    expect([null, 0.00042, 0.0123, 0.5, 2.5].map(formatSeconds)).toEqual(["-", "0.42ms", "12ms", "500ms", "2.50s"]);
  });
});

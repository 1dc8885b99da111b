// The layering of docs/design.md, checked on the import graph: no import circle (type-only ones included), and which folder may import which.
import { describe, expect, test } from "bun:test";
import { edgesBetween, importCircles, importGraph, parse, treeFiles } from "./support/source-tree.ts";

const code = [...treeFiles("src", /\.tsx?$/), ...treeFiles("admin-ui", /\.tsx?$/), ...treeFiles("bench", /\.tsx?$/)];
const graph = importGraph(code.map((file) => parse(file)));
const under =
  (...folders: string[]) =>
  (file: string) =>
    folders.some((folder) => file.startsWith(folder));

/**
 * Circles waiting for their fix, each with its owner; the test fails on any other, and on these once they are gone
 * (so the entry leaves with its circle). None today (probation.ts reaches the supervisor through its ProbationHost).
 */
const KNOWN_CIRCLES: string[][] = [];

/** The one file of src/master/ that starts the admin plane, and so may import src/admin/. */
const COMPOSITION_ROOT = "src/master/planes.ts";

/** The master's files whose types the API shows; src/admin/contract*.ts re-export them. */
const MASTER_RECORDS = new Set([
  "src/master/records.ts",
  "src/master/status-records.ts",
  "src/master/events.ts",
  "src/master/log-lines.ts",
  "src/master/ipc-drops.ts",
]);

/** Files of src/master/ that are interfaces for the admin plane (queries and actions the master wires): the supervisor's narrow interface adds its files here. */
const MASTER_INTERFACES = new Set<string>(["src/master/supervisor-interface.ts", "src/master/traffic-totals.ts"]);

/**
 * Today's other admin -> master imports. Each should become a call through AdminContext or one of MASTER_INTERFACES;
 * the list only shrinks: a new admin -> master import fails this test. (client.ts and control-config.ts are the
 * CLI's side of the admin plane and read the runtime file the master writes.)
 */
const ADMIN_TO_MASTER_TODAY = new Set([
  "src/admin/client.ts -> src/master/runtime-file.ts",
  "src/admin/control-config.ts -> src/master/runtime-file.ts",
  "src/admin/live-feed.ts -> src/master/events.ts",
  "src/admin/routes/log-routes.ts -> src/master/log-lines.ts",
  "src/admin/routes/log-routes.ts -> src/master/recent-log.ts",
  "src/admin/routes/metrics-route.ts -> src/master/ipc-drops.ts",
  "src/admin/routes/status-routes.ts -> src/master/ipc-drops.ts",
  "src/admin/server.ts -> src/master/descriptor-reserve.ts",
  "src/admin/server.ts -> src/master/port-check.ts",
]);

/** The channel by process: worker.channel in a worker, the relay in the master, the Redis link between hosts; files directly in src/channel/ (the wire protocol and its limits) are shared. */
const CHANNEL_WORKER = "src/channel/worker/";
const CHANNEL_MASTER = "src/channel/master/";
const CHANNEL_CLUSTER = "src/channel/cluster/";
const channelShared = (file: string) => /^src\/channel\/[^/]+$/.test(file);

describe("layering", () => {
  test("the graph sees the tree's imports, type-only ones included", () => {
    expect(graph.get("src/worker/runtime.ts")?.length).toBeGreaterThan(3);
    expect(graph.get("src/master/planes.ts")?.some((e) => e.to.startsWith("src/admin/"))).toBe(true);
    expect(graph.get("bench/chaos.ts")?.length).toBeGreaterThan(3);
    for (const side of [CHANNEL_WORKER, CHANNEL_MASTER, CHANNEL_CLUSTER]) expect([...graph.keys()].filter(under(side)).length).toBeGreaterThan(3);
    expect([...graph.keys()].filter(channelShared)).toContain("src/channel/protocol.ts");
  });

  test("no import circle among src/, admin-ui/ and bench/ files, type-only ones included", () => {
    const circles = importCircles(graph).map((c) => c.join(" <-> "));
    expect(circles.sort()).toEqual(KNOWN_CIRCLES.map((c) => c.join(" <-> ")).sort());
  });

  test("src/master/, src/store/ and src/channel/ never import src/admin/, but the composition root that starts the admin plane", () => {
    const found = edgesBetween(graph, (f) => under("src/master/", "src/store/", "src/channel/")(f) && f !== COMPOSITION_ROOT, under("src/admin/"));
    expect(found).toEqual([]);
  });

  test("src/admin/ reaches src/master/ only through context.ts, the master's records and its interfaces (and today's listed imports)", () => {
    const allowed = (edge: string) => {
      const [from, to] = edge.split(" -> ") as [string, string];
      if (from === "src/admin/context.ts" || MASTER_INTERFACES.has(to) || ADMIN_TO_MASTER_TODAY.has(edge)) return true;
      return /^src\/admin\/contract(-deploys)?\.ts$/.test(from) && MASTER_RECORDS.has(to);
    };
    expect(edgesBetween(graph, under("src/admin/"), under("src/master/")).filter((e) => !allowed(e))).toEqual([]);
  });

  test("a worker process's code never imports the master's, the admin plane's or the store's", () => {
    expect(edgesBetween(graph, under("src/worker/"), under("src/master/", "src/admin/", "src/store/", "src/commands/"))).toEqual([]);
  });

  test("the channel's worker side never imports its master or Redis side, nor they it: they meet in the shared wire protocol", () => {
    expect(edgesBetween(graph, under(CHANNEL_WORKER), under(CHANNEL_MASTER, CHANNEL_CLUSTER, "src/master/", "src/admin/", "src/store/"))).toEqual([]);
    expect(edgesBetween(graph, under(CHANNEL_MASTER, CHANNEL_CLUSTER), under(CHANNEL_WORKER, "src/worker/"))).toEqual([]);
    expect(edgesBetween(graph, channelShared, (to) => to.startsWith("src/channel/") && !channelShared(to))).toEqual([]);
  });

  test("src/channel/ never imports src/master/: the relay reaches worker processes through its ProcessDirectory, which the master wires", () => {
    expect(edgesBetween(graph, under("src/channel/"), under("src/master/"))).toEqual([]);
  });

  test("src/channel/ reaches its worker through ChannelHost, never by importing the runtime (not even its type)", () => {
    expect(edgesBetween(graph, under("src/channel/"), (to) => to === "src/worker/runtime.ts")).toEqual([]);
  });

  test("the circle check sees a value circle and a type-only one; the value check leaves out a circle closed by a type-only edge", () => {
    const probe = (b: string) => importGraph([parse("a.ts", 'import { b } from "./b.ts";\nimport "./c.ts";'), parse("b.ts", b), parse("c.ts", "")]);
    const valueCircles = (b: string) => importCircles(probe(b), (edge) => !edge.typeOnly);
    expect(valueCircles('import { a } from "./a.ts";')).toEqual([["a.ts", "b.ts"]]);
    expect(valueCircles('export { a } from "./a.ts";')).toEqual([["a.ts", "b.ts"]]);
    expect(valueCircles('import type { A } from "./a.ts";')).toEqual([]);
    expect(valueCircles('import { type A, type B } from "./a.ts";')).toEqual([]);
    expect(valueCircles('export type { A } from "./a.ts";')).toEqual([]);
    expect(importCircles(probe('import type { A } from "./a.ts";'))).toEqual([["a.ts", "b.ts"]]);
    expect(importCircles(probe('export type * from "./a.ts";'))).toEqual([["a.ts", "b.ts"]]);
    expect(
      edgesBetween(
        probe('import type { A } from "./a.ts";'),
        (f) => f === "b.ts",
        () => true,
      ),
    ).toEqual(["b.ts -> a.ts"]);
  });
});

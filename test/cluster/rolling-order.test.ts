// The rolling reload's order and its stop at the first rollback, on fake instances whose reloads the test decides.
import { describe, expect, test } from "bun:test";
import type { ClusterInstance } from "../../src/cluster/cluster-records.ts";
import { chooseTargets, RollingReloads } from "../../src/cluster/rolling-reload.ts";
import type { ReloadRecord } from "../../src/master/records.ts";
import { waitFor } from "../support/wait.ts";

function instance(id: string, host: string, extra: Partial<ClusterInstance> = {}): ClusterInstance {
  return {
    id,
    app: "a",
    host,
    masterPid: id.charCodeAt(0),
    admin: "",
    version: "1",
    startedAt: 0,
    lastSeenAt: 0,
    self: false,
    stale: false,
    commands: true,
    groups: [],
    processes: [],
    ...extra,
  };
}

const record = (state: ReloadRecord["state"]): ReloadRecord => ({ id: 1, generation: 2, state, graceful: false, startedAt: 0, groups: [], needsRestart: [] });

describe("chooseTargets", () => {
  const list = [instance("a", "host-a", { self: true }), instance("b", "host-b"), instance("c", "host-c")];
  test("by default this instance goes last; an order names hosts or ids", () => {
    expect(chooseTargets(list).map((i) => i.id)).toEqual(["b", "c", "a"]);
    expect(chooseTargets(list, ["host-a", "c"]).map((i) => i.id)).toEqual(["a", "c"]);
  });
  test("an unknown or ambiguous name, a repeat, a stale instance or one without a secret: refused before anything runs", () => {
    expect(() => chooseTargets(list, ["host-x"])).toThrow('no instance "host-x"');
    expect(() => chooseTargets([...list, instance("d", "host-b")], ["host-b"])).toThrow('2 instances run on host "host-b": name them by id');
    expect(() => chooseTargets(list, ["b", "host-b"])).toThrow("twice");
    expect(() => chooseTargets([...list, instance("s", "host-s", { stale: true })])).toThrow("host-s (s) stopped announcing itself");
    expect(() => chooseTargets([...list, instance("n", "host-n", { commands: false })])).toThrow("host-n runs without cluster.secretFile");
  });
});

describe("RollingReloads", () => {
  test("one at a time; the first rollback stops the run and the rest are not reloaded", async () => {
    const asked: string[] = [];
    const outcomes: Record<string, ReloadRecord["state"]> = { b: "done", c: "rolled-back" };
    const reloads = new RollingReloads({
      list: async () => [instance("a", "h", { self: true }), instance("b", "h"), instance("c", "h")],
      reloadSelf: async () => {
        asked.push("a");
        return record("done");
      },
      reloadRemote: async (id) => {
        asked.push(id);
        return record(outcomes[id]!);
      },
    });
    const started = await reloads.start(false);
    expect(started.steps.map((s) => s.label)).toEqual(["h:98", "h:99", "h:97"]);
    const done = await waitFor(() => reloads.get(started.id)!.state !== "running" && reloads.get(started.id)!);
    expect(asked).toEqual(["b", "c"]);
    expect(done.steps.map((s) => s.state)).toEqual(["replaced", "rolled-back", "not-reloaded"]);
    expect(done).toMatchObject({ state: "stopped", stoppedAfter: "h:99" });
  });

  test("a remote that fails (no answer) stops the run like a rollback; a second run while one is under way is refused", async () => {
    const { promise: hold, resolve: release } = Promise.withResolvers<void>();
    const reloads = new RollingReloads({
      list: async () => [instance("b", "host-b"), instance("a", "host-a", { self: true })],
      reloadSelf: async () => record("done"),
      reloadRemote: async () => {
        await hold;
        throw new Error("no answer in 5 s");
      },
    });
    const started = await reloads.start(true);
    await expect(reloads.start(true)).rejects.toThrow("a cluster reload is under way");
    release();
    const done = await waitFor(() => reloads.get(started.id)!.state !== "running" && reloads.get(started.id)!);
    expect(done.steps).toMatchObject([
      { label: "host-b", state: "failed", error: "no answer in 5 s" },
      { label: "host-a", state: "not-reloaded" },
    ]);
  });
});

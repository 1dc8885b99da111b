// The link's transitions as events and the status line, on a link state the test sets by hand (no Redis).
import { describe, expect, test } from "bun:test";
import type { ClusterEvent } from "../../src/cluster/cluster-records.ts";
import type { StatusCluster } from "../../src/admin/contract.ts";
import { clusterLine } from "../../src/cluster/cluster-line.ts";
import { LinkWatch, type LinkFacts } from "../../src/cluster/link-watch.ts";

function watched() {
  let now = 1_000_000;
  const facts: LinkFacts = { connected: false, reconnects: 0, lastError: null };
  const events: ClusterEvent[] = [];
  const watch = new LinkWatch({
    read: () => facts,
    resynced: () => ({ uids: 3, groups: 1, newEpochs: ["room"] }),
    instances: () => 2,
    emit: (event) => events.push(event),
    now: () => now,
  });
  return { watch, facts, events, advance: (ms: number) => (now += ms), now: () => now };
}

describe("LinkWatch", () => {
  test("the first connection is a join (no event); a loss and a return give cluster-lost and cluster-rejoined with the outage", () => {
    const { watch, facts, events, advance, now } = watched();
    expect(watch.disconnectedSince).toBe(now());
    facts.connected = true;
    watch.tick();
    expect(events).toEqual([]);
    expect(watch.disconnectedSince).toBeNull();
    advance(5000);
    Object.assign(facts, { connected: false, lastError: "Connection closed" });
    watch.tick();
    expect(events).toEqual([{ type: "cluster-lost", error: "Connection closed", instances: 2 }]);
    expect(watch.disconnectedSince).toBe(now());
    advance(12_000);
    watch.tick();
    expect(events).toHaveLength(1);
    Object.assign(facts, { connected: true, reconnects: 1 });
    watch.tick();
    expect(events[1]).toEqual({ type: "cluster-rejoined", outageMs: 12_000, resynced: { uids: 3, groups: 1, newEpochs: ["room"] } });
  });

  test("a loss and a return between two polls still give both events (the reconnect counter moved)", () => {
    const { watch, facts, events } = watched();
    facts.connected = true;
    watch.tick();
    Object.assign(facts, { reconnects: 1, lastError: "Redis did not answer for 2100 ms" });
    watch.tick();
    expect(events.map((e) => e.type)).toEqual(["cluster-lost", "cluster-rejoined"]);
    watch.tick();
    expect(events).toHaveLength(2);
  });

  test("a link that never came up reports no event, and is down since the watch began", () => {
    const { watch, facts, events, advance } = watched();
    const began = watch.disconnectedSince;
    advance(3000);
    facts.lastError = "connect ECONNREFUSED";
    watch.tick();
    expect(events).toEqual([]);
    expect(watch.disconnectedSince).toBe(began);
  });
});

describe("the status line", () => {
  const base: StatusCluster = {
    redis: "redis://h:6379",
    instance: "a",
    connected: true,
    failures: 0,
    reconnects: 0,
    lastError: null,
    pendingBytes: 0,
    pendingRefused: 0,
    instances: 2,
  };
  test("connected, with the count (singular, plural, not counted yet)", () => {
    expect(clusterLine(base)).toBe("cluster: connected (2 instances)");
    expect(clusterLine({ ...base, instances: 1 })).toBe("cluster: connected (1 instance)");
    expect(clusterLine({ ...base, instances: null })).toBe("cluster: connected (counting)");
  });
  test("disconnected: for how long and the last error; no line without a cluster", () => {
    const down = { ...base, connected: false, disconnectedSince: 10_000, lastError: "Connection closed" };
    expect(clusterLine(down, 22_400)).toBe("cluster: DISCONNECTED for 12 s: Connection closed");
    expect(clusterLine({ ...down, lastError: null }, 10_000)).toBe("cluster: DISCONNECTED for 0 s: not connected yet");
    expect(clusterLine(null)).toBeNull();
  });
});

// The Redis link made visible, on two real instances over a real redis-server that the test kills and starts again.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { StatusCluster } from "../../src/admin/contract.ts";
import { RedisUnderTest } from "../channel/redis-server.ts";
import type { AppUnderTest } from "../support/app-under-test.ts";
import { cli, metric, startInstance, storedEvents } from "./cluster-instances.ts";

async function clusterOf(app: AppUnderTest): Promise<StatusCluster> {
  const cluster = (await app.status()).cluster;
  if (!cluster) throw new Error("status has no cluster section");
  return cluster;
}

describe("the Redis link, visible", () => {
  let redis: RedisUnderTest;
  let a: AppUnderTest;
  let b: AppUnderTest;

  beforeAll(async () => {
    redis = await RedisUnderTest.start();
    [a, b] = await Promise.all([startInstance(redis.url), startInstance(redis.url)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.[Symbol.asyncDispose](), b?.[Symbol.asyncDispose]()]);
    await redis?.[Symbol.asyncDispose]();
  });

  test("connected: status says so with the instance count, and /metrics has the gauges", async () => {
    await a.waitFor(async () => (await clusterOf(a)).instances === 2, 5000, "2 instances counted");
    const { out, code } = await cli("status", "--config", a.configPath);
    expect(code).toBe(0);
    expect(out).toContain("cluster: connected (2 instances)");
    expect(await metric(a, "workerman_cluster_connected")).toBe(1);
    expect(await metric(a, "workerman_cluster_instances")).toBe(2);
  });

  test("redis-server killed: cluster-lost, the 0 gauge and the DISCONNECTED line within 3 s; restarted: cluster-rejoined with the outage", async () => {
    await redis.kill();
    const killedAt = Date.now();
    const down = await a.waitFor(
      async () => {
        const c = await clusterOf(a);
        return !c.connected && (await storedEvents(a, "cluster-lost")).length > 0 && c;
      },
      3000,
      "cluster-lost within 3 s",
    );
    expect(Date.now() - killedAt).toBeLessThan(3000);
    expect(down.disconnectedSince).toBeNumber();
    expect(down.instances).toBeNull();
    expect(await metric(a, "workerman_cluster_connected")).toBe(0);
    expect(await metric(a, "workerman_cluster_instances")).toBeNull();
    const [lost] = await storedEvents(a, "cluster-lost");
    expect(lost!.data).toMatchObject({ instances: 2 });
    expect(String(lost!.data.error)).not.toBe("");
    const { out } = await cli("status", "--config", a.configPath);
    expect(out).toMatch(/cluster: DISCONNECTED for \d+ s: \S/);
    expect(out).not.toContain("cluster: connected");

    await redis.restart();
    const rejoined = await a.waitFor(async () => (await storedEvents(a, "cluster-rejoined"))[0], 10_000, "cluster-rejoined");
    expect(Number(rejoined.data.outageMs)).toBeGreaterThan(0);
    expect(rejoined.data.resynced).toMatchObject({ uids: 0, groups: 0, newEpochs: [] });
    // Both instances announce again into the emptied Redis.
    await a.waitFor(async () => (await clusterOf(a)).instances === 2, 5000, "2 instances counted again");
    expect(await metric(a, "workerman_cluster_connected")).toBe(1);
  }, 30_000);
});

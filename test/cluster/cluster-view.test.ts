// Every instance in one picture: three real instances over one real redis-server, listed by each, and one kill -9'd.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ClusterResponse } from "../../src/admin/contract.ts";
import { RedisUnderTest } from "../channel/redis-server.ts";
import { AppUnderTest } from "../support/app-under-test.ts";
import { cli, startInstance, WEB } from "./cluster-instances.ts";

const view = (app: AppUnderTest) => app.api<ClusterResponse>("/api/cluster");

describe("the cluster view", () => {
  let redis: RedisUnderTest;
  let apps: AppUnderTest[] = [];
  let startedAt = 0;

  beforeAll(async () => {
    redis = await RedisUnderTest.start();
    apps = await Promise.all([startInstance(redis.url), startInstance(redis.url), startInstance(redis.url)]);
    startedAt = Date.now();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(apps.map((app) => app[Symbol.asyncDispose]()));
    await redis?.[Symbol.asyncDispose]();
  });

  test("each instance lists all three within 2 s, itself once as self, with its process rows and admin address", async () => {
    for (const app of apps) await app.waitFor(async () => (await view(app)).instances.length === 3, 2000 - (Date.now() - startedAt) + 100, "3 instances");
    expect(Date.now() - startedAt).toBeLessThan(2000);
    const statuses = await Promise.all(apps.map((app) => app.status()));
    for (const [n, app] of apps.entries()) {
      const v = await view(app);
      expect(v.connected).toBe(true);
      expect(v.instances.filter((i) => i.self).map((i) => i.masterPid)).toEqual([statuses[n]!.master.pid]);
      for (const [m, s] of statuses.entries()) {
        const entry = v.instances.find((i) => i.masterPid === s.master.pid)!;
        expect(entry).toMatchObject({ app: "clustered", admin: apps[m]!.adminUrl, stale: false, version: s.master.version, startedAt: s.master.startedAt });
        expect(entry.processes.map((p) => p.pid)).toEqual(s.processes.map((p) => p.pid));
        expect(entry.groups.map((g) => g.name)).toEqual(["web"]);
      }
    }
  });

  test("status --cluster prints a line per instance with its rows under it", async () => {
    // An entry is at most a second old: wait for the one written after every worker became ready.
    await apps[0]!.waitFor(async () => (await view(apps[0]!)).instances.every((i) => i.processes.every((p) => p.state === "ready")), 3000, "every row ready");
    const { code, out } = await cli("status", "--cluster", "--config", apps[0]!.configPath);
    expect(code).toBe(0);
    expect(out).toContain("cluster: connected (3 instances)");
    expect(out.match(/^== /gm)).toHaveLength(3);
    expect(out.match(/\(this instance\)/g)).toHaveLength(1);
    for (const app of apps) expect(out).toContain(`master pid ${(await app.status()).master.pid}  ${app.adminUrl}`);
    expect(out.match(/^\d+\s+web\s+0\s+1\s+ready/gm)).toHaveLength(3);
  });

  test("a kill -9'd instance is marked stale, then dropped within 10 s; the others stay", async () => {
    const victim = apps[2]!;
    const pid = (await victim.status()).master.pid;
    victim.master.kill("SIGKILL");
    await victim.master.exited;
    const killedAt = Date.now();
    let sawStale = false;
    await apps[0]!.waitFor(
      async () => {
        const entry = (await view(apps[0]!)).instances.find((i) => i.masterPid === pid);
        sawStale ||= entry?.stale === true;
        return entry === undefined;
      },
      10_000,
      "the killed instance dropped",
    );
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(sawStale).toBe(true);
    expect((await view(apps[1]!)).instances).toHaveLength(2);
  }, 20_000);

  test("without cluster.redis the route answers this instance alone", async () => {
    await using alone = await AppUnderTest.start({
      workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" }],
      files: { "web.ts": WEB },
    });
    const v = await view(alone);
    expect(v).toMatchObject({ connected: null, commands: false });
    expect(v.instances).toHaveLength(1);
    expect(v.instances[0]).toMatchObject({ self: true, stale: false, admin: alone.adminUrl, masterPid: (await alone.status()).master.pid });
    const { out } = await cli("status", "--cluster", "--config", alone.configPath);
    expect(out).toContain("cluster: off (no cluster.redis): this instance alone");
    expect((await alone.status()).cluster).toBeNull();
  });
});

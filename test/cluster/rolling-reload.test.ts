// reload --cluster on three real instances over a real redis-server: all replaced; a broken second one stops the run; forged commands refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisClient } from "bun";
import type { AuditRecord, ClusterResponse, ListResponse } from "../../src/admin/contract.ts";
import { RedisUnderTest } from "../channel/redis-server.ts";
import { AppUnderTest } from "../support/app-under-test.ts";
import { cli, metric, startInstance, storedEvents } from "./cluster-instances.ts";

const BUS = "wm:{clustered}:bus";
const served = async (app: AppUnderTest) => (await fetch(`http://127.0.0.1:${await app.port("web")}/`)).text();
const handler = (text: string) => `export default { fetch: () => new Response(${JSON.stringify(text)}) };\n`;
const BROKEN = "export default {\n  fetch: () => new Response(\n};\n";
const generation = async (app: AppUnderTest) => (await app.status()).processes.find((p) => p.group === "web" && p.state === "ready")?.generation;

async function audit(app: AppUnderTest): Promise<AuditRecord[]> {
  return (await app.api<ListResponse<AuditRecord>>("/api/audit?limit=1000")).items;
}

describe("reload --cluster", () => {
  let redis: RedisUnderTest;
  let apps: AppUnderTest[] = [];
  let ids: string[] = [];
  let labels: string[] = [];
  let secretDir = "";
  let spy: RedisClient;
  const commands: string[] = [];

  beforeAll(async () => {
    redis = await RedisUnderTest.start();
    secretDir = mkdtempSync(join(tmpdir(), "wm-secret-"));
    const secretFile = join(secretDir, "cluster.secret");
    writeFileSync(secretFile, `${"k".repeat(48)}\n`);
    chmodSync(secretFile, 0o600);
    const extra = { reload: { healthySeconds: 0.5, probationSeconds: 0 } };
    apps = await Promise.all([0, 1, 2].map(() => startInstance(redis.url, { secretFile }, extra)));
    const listed = await apps[0]!.waitFor(async () => {
      const view = await apps[0]!.api<ClusterResponse>("/api/cluster");
      return view.instances.length === 3 && view;
    }, 5000);
    const pids = await Promise.all(apps.map(async (app) => (await app.status()).master.pid));
    ids = pids.map((pid) => listed.instances.find((i) => i.masterPid === pid)!.id);
    labels = pids.map((pid, n) => `${listed.instances[n]!.host}:${pid}`);
    // Sees every command on the bus, as anyone with access to Redis could.
    spy = new RedisClient(redis.url);
    await spy.subscribe(BUS, (message) => message.includes('"op":"cmd"') && commands.push(message));
  }, 60_000);

  afterAll(async () => {
    spy?.close();
    await Promise.all(apps.map((app) => app[Symbol.asyncDispose]()));
    await redis?.[Symbol.asyncDispose]();
    rmSync(secretDir, { recursive: true, force: true });
  });

  test("every instance replaced in turn, this one last; each audits the command with the initiating instance", async () => {
    for (const app of apps) writeFileSync(join(app.dir, "web.ts"), handler("v2"));
    const { code, out } = await cli("reload", "--cluster", "--config", apps[0]!.configPath);
    // The others in the list's order (host, then start), the caller last.
    const others = (await apps[0]!.api<ClusterResponse>("/api/cluster")).instances.filter((i) => !i.self).map((i) => labels[ids.indexOf(i.id)]);
    expect(out).toContain(`one instance at a time: ${others.join(", ")}, ${labels[0]}`);
    for (const label of labels) expect(out).toContain(`${label}: web: 1 replaced`);
    expect(code).toBe(0);
    for (const app of apps) expect(await served(app)).toBe("v2");
    for (const n of [1, 2]) {
      const entry = (await audit(apps[n]!)).find((a) => a.action === "cluster-reload");
      expect(entry).toMatchObject({ actor: `cluster:${ids[0]}`, source: "redis", result: "ok: generation 2" });
    }
    expect((await audit(apps[0]!)).find((a) => a.action === "cluster-reload")).toMatchObject({ actor: "token", result: "ok" });
  }, 60_000);

  test("a broken handler on the second instance stops the run there; the third keeps its old code", async () => {
    writeFileSync(join(apps[0]!.dir, "web.ts"), handler("v3"));
    writeFileSync(join(apps[1]!.dir, "web.ts"), BROKEN);
    writeFileSync(join(apps[2]!.dir, "web.ts"), handler("v3"));
    const order = ids.join(",");
    const { code, out } = await cli("reload", "--cluster", "--order", order, "--config", apps[0]!.configPath);
    expect(out).toContain(`${labels[0]}: web: 1 replaced`);
    expect(out).toMatch(new RegExp(`${labels[1]}: web: rolled back: web\\.ts:\\d+:\\d+ `));
    expect(out).toContain(`${labels[2]}: not reloaded (stopped after ${labels[1]})`);
    expect(code).toBe(1);
    expect(await Promise.all(apps.map(served))).toEqual(["v3", "v2", "v2"]);
    expect(await generation(apps[2]!)).toBe(2);
  }, 60_000);

  test("unsigned, badly signed and replayed commands are refused, counted and audited; nothing reloads", async () => {
    const target = apps[2]!;
    const before = await generation(target);
    const captured = commands.map((text) => JSON.parse(text) as Record<string, unknown>).filter((c) => c.to === ids[1] && c.kind === "reload");
    const replay = captured.at(-1)!;
    const publisher = new RedisClient(redis.url);
    try {
      await publisher.publish(BUS, JSON.stringify({ ...replay, to: ids[2], sig: undefined }));
      await publisher.publish(BUS, JSON.stringify({ ...replay, to: ids[2] }));
      // The genuine command, again, to the instance it was for.
      await publisher.publish(BUS, JSON.stringify(replay));
    } finally {
      publisher.close();
    }
    const reasons = await target.waitFor(async () => {
      const refused = (await audit(target)).filter((a) => a.result.startsWith("refused")).map((a) => a.result);
      return refused.length >= 2 && refused;
    }, 5000);
    expect(reasons.sort()).toEqual(["refused: bad signature", "refused: unsigned"]);
    expect(await metric(target, 'workerman_cluster_commands_refused_total{reason="unsigned"}')).toBe(1);
    const replayed = await apps[1]!.waitFor(async () => (await audit(apps[1]!)).find((a) => a.result === "refused: replayed"), 5000);
    expect(replayed).toMatchObject({ action: "cluster-reload", actor: "none", source: "redis" });
    expect(await metric(apps[1]!, 'workerman_cluster_commands_refused_total{reason="replayed"}')).toBe(1);
    expect((await storedEvents(target, "cluster-command-refused")).map((e) => e.data.reason).sort()).toEqual(["bad signature", "unsigned"]);
    expect(await generation(target)).toBe(before);
  }, 30_000);

  test("one instance restarts a process of another over the same signed channel; a pid it does not run is refused", async () => {
    const [asking, target] = [apps[0]!, apps[2]!];
    const [old] = await target.pids("web");
    const post = (pid: number) =>
      fetch(`${asking.adminUrl}/api/cluster/instances/${encodeURIComponent(ids[2]!)}/processes/${pid}/restart`, {
        method: "POST",
        headers: { Authorization: `Bearer ${asking.token}` },
      });
    expect((await post(old!)).status).toBe(202);
    await target.waitFor(async () => {
      const pids = await target.pids("web");
      return pids.length === 1 && pids[0] !== old;
    }, 10_000);
    expect((await audit(target)).find((a) => a.action === "cluster-restart-process")).toMatchObject({ actor: `cluster:${ids[0]}`, result: `ok: pid ${old}` });
    const refused = await post(1);
    expect(refused.status).toBe(404);
    expect(await refused.text()).toContain("refused: no current worker process 1");
  }, 30_000);

  test("without cluster.secretFile cluster commands are off; a secret file others can read stops the master from starting", async () => {
    await using plain = await startInstance(redis.url);
    const refused = await fetch(`${plain.adminUrl}/api/cluster/reload`, { method: "POST", headers: { Authorization: `Bearer ${plain.token}` } });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("cluster commands are off: cluster.secretFile is not set");
    expect((await plain.api<ClusterResponse>("/api/cluster")).commands).toBe(false);
    const open = join(secretDir, "open.secret");
    writeFileSync(open, "k".repeat(48));
    chmodSync(open, 0o644);
    const failed = await startInstance(redis.url, { secretFile: open }).then(
      (app) => app[Symbol.asyncDispose]().then(() => ""),
      (err: Error) => err.message,
    );
    expect(failed).toContain(`E_CONFIG: cluster.secretFile: ${open} has mode 0644: other users could read the cluster secret; run chmod 600 ${open}`);
  }, 30_000);
});

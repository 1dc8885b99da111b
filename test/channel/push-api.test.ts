// POST /api/push and `workerman-app push`: admin auth, every kind of target, and what the clients receive.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { AppUnderTest, cliCommand } from "../support/app-under-test.ts";
import { clientsOnProcesses, closeAll, nothingArrives, type ChannelClient } from "./channel-clients.ts";

const FIXTURE = join(import.meta.dir, "fixtures/channel-app.ts");

describe("push API", () => {
  let app: AppUnderTest;
  let a: ChannelClient;
  let b: ChannelClient;

  const push = (body: unknown, token: string | null = app.token) =>
    fetch(`${app.adminUrl}/api/push`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });

  const cli = async (...args: string[]) => {
    const proc = Bun.spawn([...cliCommand(), "push", "--config", app.configPath, ...args], { stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { stdout, stderr, code };
  };

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [
        { name: "ws", listen: "websocket://127.0.0.1:0", count: 2, handler: FIXTURE },
        { name: "side", listen: "websocket://127.0.0.1:0", count: 1, handler: FIXTURE },
      ],
      extra: { channel: { history: { size: 10, ttlSeconds: 60 } } },
    });
    [[a], [b]] = (await clientsOnProcesses(`ws://127.0.0.1:${await app.port("ws")}`)) as [[ChannelClient], [ChannelClient]];
    await a.cmd({ cmd: "bind", uid: "u-a" });
    await a.cmd({ cmd: "join", group: "g1" });
    await b.cmd({ cmd: "join", group: "g1" });
  }, 30_000);

  afterAll(async () => {
    await closeAll([a, b].filter(Boolean));
    await app?.[Symbol.asyncDispose]();
  });

  test("without the token, or with a wrong one: 401 and nothing is sent", async () => {
    expect((await push({ to: { all: true }, data: "sneaky" }, null)).status).toBe(401);
    expect((await push({ to: { all: true }, data: "sneaky" }, "wrong-token")).status).toBe(401);
    expect(await nothingArrives(a, "sneaky")).toBe(true);
  });

  test("a body without a valid target or data: 400 naming the problem", async () => {
    for (const body of [{}, { to: { uid: "x" } }, { to: { group: "" }, data: 1 }, { to: { uid: "x", group: "y" }, data: 1 }, { to: { all: false }, data: 1 }]) {
      const response = await push(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: { code: "E_USAGE", message: expect.stringMatching(/^bad body: (to|data)/), field: expect.stringMatching(/^(to|data)/) },
      });
    }
  });

  test("to a uid, a group and everyone", async () => {
    const toUid = await push({ to: { uid: "u-a" }, data: "for u-a" });
    expect(toUid.status).toBe(202);
    expect(await toUid.json()).toMatchObject({ to: { uid: "u-a" }, processes: 1, cluster: "off" });
    await a.expectDelivery("for u-a");
    expect(await nothingArrives(b, "for u-a", 100)).toBe(true);

    expect(await (await push({ to: { group: "g1" }, data: "for g1" })).json()).toMatchObject({ processes: 2 });
    await Promise.all([a.expectDelivery("for g1"), b.expectDelivery("for g1")]);

    expect((await push({ to: { all: true }, data: { json: true } })).status).toBe(202);
    await Promise.all([a.expectDelivery('{"json":true}'), b.expectDelivery('{"json":true}')]);
  });

  test("to everyone of one worker group; an unknown worker group is a 400 naming it", async () => {
    const side = await push({ to: { all: true, workerGroup: "side" }, data: "side only" });
    expect(side.status).toBe(202);
    expect(await side.json()).toMatchObject({ processes: 1 });
    expect(await nothingArrives(a, "side only", 100)).toBe(true);
    const ws = await push({ to: { all: true, workerGroup: "ws" }, data: "ws group" });
    expect(await ws.json()).toMatchObject({ processes: 2 });
    await Promise.all([a.expectDelivery("ws group"), b.expectDelivery("ws group")]);
    const unknown = await push({ to: { all: true, workerGroup: "wss" }, data: "x" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: { code: "E_USAGE", message: expect.stringContaining('to.workerGroup: no worker group "wss"'), field: "to.workerGroup" },
    });
  });

  test("to a group with keep: kept in its history with an offset, delivered through onGroupMessage; the CLI's --keep too", async () => {
    const kept = await push({ to: { group: "g1", keep: true }, data: "kept push" });
    expect(kept.status).toBe(202);
    expect(await kept.json()).toMatchObject({ processes: 2, cluster: "off" });
    const frame = JSON.parse(await a.next((m) => m.includes('"kept push"'))) as { kept: { offset: number; epoch: string } };
    expect(frame.kept.offset).toBe(1);
    await b.next((m) => m.includes('"kept push"'));
    const cli = Bun.spawn([...cliCommand(), "push", "--config", app.configPath, "--group", "g1", "--keep", "kept by the cli"], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await cli.exited).toBe(0);
    expect(JSON.parse(await a.next((m) => m.includes('"kept by the cli"'))).kept.offset).toBe(2);
    const history = await a.cmd<{ messages: { data: string }[] }>({ cmd: "history", group: "g1" });
    expect(history.messages.map((m) => m.data)).toEqual(["kept push", "kept by the cli"]);
    expect((await push({ to: { uid: "u-a", keep: true }, data: "x" })).status).toBe(400);
  });

  test("to one connection by pid and id; an unknown one is a 404", async () => {
    const { ref } = await b.cmd<{ ref: { pid: number; id: number } }>({ cmd: "whoami" });
    const response = await push({ to: { pid: ref.pid, id: ref.id }, data: "just b" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ delivered: true });
    await b.expectDelivery("just b");
    const gone = await push({ to: { pid: ref.pid, id: 999_999 }, data: "x" });
    expect(gone.status).toBe(404);
    // One error shape: no success fields merged into the refusal.
    expect(await gone.json()).toEqual({ error: { code: "E_NOT_FOUND", message: `process ${ref.pid} has no open connection 999999` } });
    expect((await push({ to: { pid: 1, id: 1 }, data: "x" })).status).toBe(404);
  });

  test("the CLI pushes to a group, a uid and everyone, and refuses an ambiguous target", async () => {
    const group = await cli("--group", "g1", "from the cli");
    expect(group.stderr).toBe("");
    expect(group.code).toBe(0);
    expect(group.stdout).toContain("pushed to 2 local processes");
    await Promise.all([a.expectDelivery("from the cli"), b.expectDelivery("from the cli")]);
    expect((await cli("--uid", "u-a", "cli to uid")).code).toBe(0);
    await a.expectDelivery("cli to uid");
    expect((await cli("--all", "cli to all")).code).toBe(0);
    await Promise.all([a.expectDelivery("cli to all"), b.expectDelivery("cli to all")]);
    const limited = await cli("--all", "--worker-group", "ws", "cli to ws");
    expect(limited.stdout).toContain("pushed to 2 local processes");
    await Promise.all([a.expectDelivery("cli to ws"), b.expectDelivery("cli to ws")]);
    expect((await cli("--worker-group", "ws", "no --all")).stderr).toContain("--worker-group limits push --all");
    const bad = await cli("--all", "--group", "g1", "two targets");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("exactly one of --uid U, --group G or --all");
  });
});

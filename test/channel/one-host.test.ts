// worker.channel on one host: two worker processes, clients on each, the master relaying between them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { AppUnderTest } from "../support/app-under-test.ts";
import { channelClient, clientsOnProcesses, closeAll, nothingArrives, type ChannelClient } from "./channel-clients.ts";

const FIXTURE = join(import.meta.dir, "fixtures/channel-app.ts");

describe("channel on one host (2 workers)", () => {
  let app: AppUnderTest;
  let url: string;
  let a: ChannelClient; // on one process
  let b: ChannelClient; // on the other
  let other: ChannelClient; // in a second worker group

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [
        { name: "ws", listen: "websocket://127.0.0.1:0", count: 2, handler: FIXTURE },
        { name: "side", listen: "websocket://127.0.0.1:0", count: 1, handler: FIXTURE },
      ],
    });
    url = `ws://127.0.0.1:${await app.port("ws")}`;
    [[a], [b]] = (await clientsOnProcesses(url)) as [[ChannelClient], [ChannelClient]];
    expect(a.pid).not.toBe(b.pid);
    other = await channelClient(`ws://127.0.0.1:${await app.port("side")}`);
  }, 30_000);

  afterAll(async () => {
    await closeAll([a, b, other].filter(Boolean));
    await app?.[Symbol.asyncDispose]();
  });

  test("a group member on one process receives what a client on the other sends to the group", async () => {
    await a.cmd({ cmd: "join", group: "room1" });
    await b.cmd({ cmd: "toGroup", group: "room1", data: "hello room1" });
    expect(await a.expectDelivery("hello room1")).toBe("hello room1");
    // b is not a member: it must not get its own message back.
    expect(await nothingArrives(b, "hello room1")).toBe(true);
  });

  test("an awaited joinGroup resolves once the master has the member (not while it is stopped), so the other process's next send reaches it", async () => {
    // Without the wait, a client told "you are in" could make another process send before the master read the join.
    process.kill(app.master.pid, "SIGSTOP");
    let joined = false;
    const join = a.cmd({ cmd: "join", group: "room-sync" }).then(() => (joined = true));
    try {
      await Bun.sleep(300); // showing that something does not happen takes a wait
      expect(joined).toBe(false);
    } finally {
      process.kill(app.master.pid, "SIGCONT");
    }
    await join;
    await b.cmd({ cmd: "toGroup", group: "room-sync", data: "right after the join" });
    expect(await a.expectDelivery("right after the join")).toBe("right after the join");
  });

  test("sendToGroup with exclude skips the sender, and reaches members on both processes", async () => {
    await a.cmd({ cmd: "join", group: "room2" });
    await b.cmd({ cmd: "join", group: "room2" });
    await b.cmd({ cmd: "toGroup", group: "room2", data: "not to b", excludeSelf: true });
    await a.expectDelivery("not to b");
    expect(await nothingArrives(b, "not to b")).toBe(true);
    await a.cmd({ cmd: "toGroup", group: "room2", data: "to both" });
    await Promise.all([a.expectDelivery("to both"), b.expectDelivery("to both")]);
  });

  test("a uid bound on one process gets sendToUid from the other; isUidOnline and counts are the master's", async () => {
    await a.cmd({ cmd: "bind", uid: "alice" });
    await b.cmd({ cmd: "toUid", uid: "alice", data: "hi alice" });
    await a.expectDelivery("hi alice");
    expect(await b.cmd({ cmd: "online", uid: "alice" })).toBe(true);
    expect(await b.cmd({ cmd: "online", uid: "nobody" })).toBe(false);
    expect((await b.cmd<{ uid?: string }>({ cmd: "whoami" })).uid).toBeUndefined();
    expect(await a.cmd({ cmd: "whoami" })).toMatchObject({ uid: "alice", ref: { pid: a.pid } });
  });

  test("sendToAll reaches every client of every process, and the sender too", async () => {
    await b.cmd({ cmd: "toAll", data: "everyone" });
    await Promise.all([a.expectDelivery("everyone"), b.expectDelivery("everyone"), other.expectDelivery("everyone")]);
  });

  test("sendToAll with workerGroup reaches only that group's clients, whichever process sends", async () => {
    await b.cmd({ cmd: "toAll", data: "ws only", workerGroup: "ws" });
    await Promise.all([a.expectDelivery("ws only"), b.expectDelivery("ws only")]);
    expect(await nothingArrives(other, "ws only")).toBe(true);
    await a.cmd({ cmd: "toAll", data: "side only", workerGroup: "side" });
    await other.expectDelivery("side only");
    expect(await nothingArrives(a, "side only", 100)).toBe(true);
    expect(await nothingArrives(b, "side only", 100)).toBe(true);
  });

  test("getGroupMembers lists the uids of a group's members on every process, and not the unbound ones", async () => {
    const [[c1], [d1]] = (await clientsOnProcesses(url)) as [[ChannelClient], [ChannelClient]];
    const e = await channelClient(url);
    await c1!.cmd({ cmd: "bind", uid: "m-carol" });
    await d1!.cmd({ cmd: "bind", uid: "m-dave" });
    for (const client of [c1!, d1!, e]) await client.cmd({ cmd: "join", group: "members-room" });
    await other.cmd({ cmd: "bind", uid: "m-outsider" });
    expect(await other.cmd({ cmd: "members", group: "members-room" })).toEqual(["m-carol", "m-dave"]);
    await closeAll([d1!]);
    await app.waitFor(async () => (await c1!.cmd<string[]>({ cmd: "members", group: "members-room" })).length === 1, 3000, "dave gone");
    expect(await c1!.cmd({ cmd: "members", group: "members-room" })).toEqual(["m-carol"]);
    expect(await c1!.cmd({ cmd: "members", group: "nobody-here" })).toEqual([]);
    await closeAll([c1!, e]);
  });

  test("onClose still sees the closing connection's uid and groups", async () => {
    const [[leaver, witness]] = (await clientsOnProcesses(url, 1, 2)) as [[ChannelClient, ChannelClient]];
    await leaver!.cmd({ cmd: "bind", uid: "leaver" });
    await leaver!.cmd({ cmd: "join", group: "lobby" });
    await leaver!.cmd({ cmd: "join", group: "kitchen" });
    await closeAll([leaver!]);
    const seen = await app.waitFor(
      async () => {
        const list = await witness!.cmd<{ uid: string; groups: string[] }[]>({ cmd: "departures" });
        return list.find((d) => d.uid === "leaver");
      },
      3000,
      "the leaver's onClose",
    );
    expect(seen.groups.sort()).toEqual(["kitchen", "lobby"]);
    await closeAll([witness!]);
  });

  test("publish reaches subscribers in both processes, and only them", async () => {
    await a.cmd({ cmd: "sub", topic: "news" });
    await b.cmd({ cmd: "sub", topic: "news" });
    await b.cmd({ cmd: "pub", topic: "news", data: { headline: 1 } });
    const expected = JSON.stringify({ topic: "news", data: { headline: 1 } });
    await Promise.all([a.expectDelivery(expected), b.expectDelivery(expected)]);
    await a.cmd({ cmd: "pub", topic: "other", data: 2 });
    expect(await nothingArrives(b, JSON.stringify({ topic: "other", data: 2 }))).toBe(true);
  });

  test("counts follow binds, leaves and disconnects across processes", async () => {
    const [[c1, c2], [d1, d2]] = (await clientsOnProcesses(url, 2, 2)) as [ChannelClient[], ChannelClient[]];
    await closeAll([d2!]);
    const extra = [c1!, c2!, d1!];
    const baseUids = await a.cmd<number>({ cmd: "uidCount" });
    await c1!.cmd({ cmd: "bind", uid: "carol" });
    await c2!.cmd({ cmd: "bind", uid: "carol" }); // two connections, one uid
    await d1!.cmd({ cmd: "bind", uid: "dave" });
    for (const client of extra) await client.cmd({ cmd: "join", group: "count-me" });
    await app.waitFor(async () => (await a.cmd<number>({ cmd: "groupCount", group: "count-me" })) === 3, 3000, "3 members");
    expect(await a.cmd<number>({ cmd: "uidCount" })).toBe(baseUids + 2);

    await d1!.cmd({ cmd: "leave", group: "count-me" });
    await app.waitFor(async () => (await a.cmd<number>({ cmd: "groupCount", group: "count-me" })) === 2, 3000, "2 members after a leave");

    // Bindings end with the connection: carol stays online while one of her two connections lives.
    await closeAll([c1!]);
    await app.waitFor(async () => (await b.cmd<number>({ cmd: "groupCount", group: "count-me" })) === 1, 3000, "1 member after a close");
    expect(await b.cmd({ cmd: "online", uid: "carol" })).toBe(true);
    await closeAll([c2!, d1!]);
    await app.waitFor(async () => (await b.cmd<number>({ cmd: "groupCount", group: "count-me" })) === 0, 3000, "0 members");
    expect(await b.cmd({ cmd: "online", uid: "carol" })).toBe(false);
    expect(await b.cmd({ cmd: "online", uid: "dave" })).toBe(false);
    expect(await a.cmd<number>({ cmd: "uidCount" })).toBe(baseUids);
  });

  test("a killed worker's bindings vanish from the master's tables", async () => {
    const victim = await channelClient(url);
    await victim.cmd({ cmd: "bind", uid: "doomed" });
    expect(await a.cmd({ cmd: "online", uid: "doomed" })).toBe(true);
    const survivor = victim.pid === a.pid ? b : a;
    process.kill(victim.pid, "SIGKILL");
    await victim.closed;
    await app.waitFor(async () => (await survivor.cmd({ cmd: "online", uid: "doomed" })) === false, 3000, "doomed offline");
  });
});

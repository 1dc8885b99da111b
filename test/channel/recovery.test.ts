// Group history and recover() on one host: exactly the missed messages, in order, once; one order for every member.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { AppUnderTest } from "../support/app-under-test.ts";
import { channelClient, clientsOnProcesses, closeAll, keptOf, keptUntil, type ChannelClient } from "./channel-clients.ts";

const FIXTURE = join(import.meta.dir, "fixtures/channel-app.ts");

type Recovered = { recovered: boolean; epoch: string; offset: number };

const datas = (frames: { data: string }[]) => frames.map((f) => f.data);
const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${from + i}`);

describe("group history and recovery on one host (2 workers)", () => {
  let app: AppUnderTest;
  let url: string;
  let publisher: ChannelClient;
  const open: ChannelClient[] = [];

  const client = async () => {
    const c = await channelClient(url);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [
        { name: "ws", listen: "websocket://127.0.0.1:0", count: 2, handler: FIXTURE },
        { name: "side", listen: "websocket://127.0.0.1:0", count: 1, handler: FIXTURE },
      ],
      extra: {
        channel: {
          history: {
            size: 100,
            ttlSeconds: 300,
            groups: [
              { match: "small:*", size: 5, ttlSeconds: 300 },
              { match: "brief:*", size: 10, ttlSeconds: 1 },
            ],
          },
        },
      },
    });
    url = `ws://127.0.0.1:${await app.port("ws")}`;
    publisher = await channelClient(`ws://127.0.0.1:${await app.port("side")}`);
    open.push(publisher);
  }, 30_000);

  afterAll(async () => {
    await closeAll(open);
    await app?.[Symbol.asyncDispose]();
  });

  test("a client that drops and reconnects with its last offset gets exactly what it missed, in order, then live ones", async () => {
    const first = await client();
    // A group nothing was published to yet has no epoch: a first visit, nothing to recover.
    expect(await first.cmd<Recovered>({ cmd: "recover", group: "room" })).toEqual({ recovered: false, epoch: "", offset: 0 });
    await publisher.cmd({ cmd: "burst", group: "room", prefix: "r", count: 3 });
    const seen = await keptUntil(first, "room", "r-3");
    expect(seen.map((k) => k.offset)).toEqual([1, 2, 3]);
    const joined = { epoch: seen[0]!.epoch }; // what a client remembers: the last message's offset and epoch
    expect(joined.epoch).not.toBe("");
    expect(seen.every((k) => k.epoch === joined.epoch)).toBe(true);
    await closeAll([first]);

    await publisher.cmd({ cmd: "burst", group: "room", prefix: "r", count: 6 }); // r-1..r-6 again: offsets 4..9
    const back = await client();
    const result = await back.cmd<Recovered>({ cmd: "recover", group: "room", offset: 3, epoch: joined.epoch });
    expect(result).toEqual({ recovered: true, epoch: joined.epoch, offset: 9 });
    expect(keptOf(back, "room").map((k) => k.offset)).toEqual([4, 5, 6, 7, 8, 9]);
    await publisher.cmd({ cmd: "keep", group: "room", data: "live" });
    const after = await keptUntil(back, "room", "live");
    expect(after.map((k) => k.offset)).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  test("recovering while another client keeps publishing: no gap and no duplicate at the seam", async () => {
    for (let round = 0; round < 3; round++) {
      const group = `seam-${round}`;
      const watcher = await client();
      await watcher.cmd<Recovered>({ cmd: "recover", group });
      const burst = publisher.cmd({ cmd: "burst", group, prefix: "s", count: 300 });
      const { epoch } = (await keptUntil(watcher, group, "s-40"))[0]!;
      // A client that saw up to offset 20 comes back in the middle of the burst.
      const late = await client();
      const result = await late.cmd<Recovered>({ cmd: "recover", group, offset: 20, epoch });
      expect(result.recovered).toBe(true);
      await burst;
      const got = await keptUntil(late, group, "s-300");
      expect(datas(got)).toEqual(range("s", 21, 300));
      expect(got.map((k) => k.offset)).toEqual(Array.from({ length: 280 }, (_, i) => 21 + i));
      expect(datas(await keptUntil(watcher, group, "s-300"))).toEqual(range("s", 1, 300));
    }
  }, 30_000);

  test("publishers on two workers interleaving into one group: one order for every member", async () => {
    const [[p1, o1], [p2, o2]] = (await clientsOnProcesses(url, 2, 2)) as [ChannelClient[], ChannelClient[]];
    open.push(p1!, o1!, p2!, o2!);
    for (const observer of [o1!, o2!]) await observer.cmd({ cmd: "recover", group: "mixed" });
    await Promise.all([p1!.cmd({ cmd: "burst", group: "mixed", prefix: "a", count: 150 }), p2!.cmd({ cmd: "burst", group: "mixed", prefix: "b", count: 150 })]);
    const [s1, s2] = await Promise.all(
      [o1!, o2!].map(async (o) => {
        await keptUntil(o, "mixed", "a-150");
        await keptUntil(o, "mixed", "b-150");
        return keptOf(o, "mixed");
      }),
    );
    expect(s1!.map((k) => k.offset)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(datas(s1!)).toEqual(datas(s2!));
    // Both publishers really interleaved, and each one's own messages stay in its order.
    expect(
      datas(s1!)
        .slice(0, 150)
        .some((d) => d.startsWith("b-")),
    ).toBe(true);
    expect(datas(s1!).filter((d) => d.startsWith("a-"))).toEqual(range("a", 1, 150));
  }, 30_000);

  test("recovered: false when the gap is older than the history, or the epoch differs; then live messages flow", async () => {
    const first = await client();
    await first.cmd<Recovered>({ cmd: "recover", group: "small:1" });
    await publisher.cmd({ cmd: "burst", group: "small:1", prefix: "m", count: 10 });
    const { epoch } = (await keptUntil(first, "small:1", "m-10"))[0]!;
    const tooOld = await client();
    expect(await tooOld.cmd<Recovered>({ cmd: "recover", group: "small:1", offset: 4, epoch })).toEqual({ recovered: false, epoch, offset: 10 });
    expect(keptOf(tooOld, "small:1")).toEqual([]);
    const justInside = await client();
    expect(await justInside.cmd<Recovered>({ cmd: "recover", group: "small:1", offset: 5, epoch })).toMatchObject({ recovered: true, offset: 10 });
    expect(datas(keptOf(justInside, "small:1"))).toEqual(range("m", 6, 10));
    const otherEpoch = await client();
    expect(await otherEpoch.cmd<Recovered>({ cmd: "recover", group: "small:1", offset: 8, epoch: "not-this-one" })).toMatchObject({
      recovered: false,
      offset: 10,
    });
    expect(keptOf(otherEpoch, "small:1")).toEqual([]);
    const future = await client();
    expect(await future.cmd<Recovered>({ cmd: "recover", group: "small:1", offset: 99, epoch })).toMatchObject({ recovered: false, offset: 10 });
    await publisher.cmd({ cmd: "keep", group: "small:1", data: "m-live" });
    for (const c of [tooOld, otherEpoch, future]) expect(datas(await keptUntil(c, "small:1", "m-live"))).toEqual(["m-live"]);
  });

  test("recovered: false once the kept messages are older than ttlSeconds", async () => {
    const first = await client();
    await first.cmd<Recovered>({ cmd: "recover", group: "brief:1" });
    await publisher.cmd({ cmd: "keep", group: "brief:1", data: "soon gone" });
    const { epoch } = (await keptUntil(first, "brief:1", "soon gone"))[0]!;
    await app.waitFor(
      async () => (await publisher.cmd<{ messages: unknown[] }>({ cmd: "history", group: "brief:1" })).messages.length === 0,
      5000,
      "the message to expire",
    );
    const back = await client();
    expect(await back.cmd<Recovered>({ cmd: "recover", group: "brief:1", offset: 0, epoch })).toMatchObject({ recovered: false, epoch, offset: 1 });
  });

  test("the history lives in the master: a client of a crashed worker reconnects to another and recovers", async () => {
    const victim = await client();
    await victim.cmd<Recovered>({ cmd: "recover", group: "crash" });
    await publisher.cmd({ cmd: "burst", group: "crash", prefix: "k", count: 3 });
    const { epoch } = (await keptUntil(victim, "crash", "k-3"))[0]!;
    process.kill(victim.pid, "SIGKILL");
    await victim.closed;
    await publisher.cmd({ cmd: "burst", group: "crash", prefix: "k", count: 6 }); // k-1..k-6 again: offsets 4..9
    const back = await client();
    expect(await back.cmd<Recovered>({ cmd: "recover", group: "crash", offset: 3, epoch })).toEqual({ recovered: true, epoch, offset: 9 });
    expect(keptOf(back, "crash").map((k) => k.offset)).toEqual([4, 5, 6, 7, 8, 9]);
  });

  test("reading a group nobody published to creates nothing: no epoch, offset 0", async () => {
    for (let i = 0; i < 3; i++)
      expect(await publisher.cmd({ cmd: "history", group: `never-${i}` })).toEqual({ epoch: "", offset: 0, messages: [], more: false });
  });

  test("groupHistory reads the kept messages with since and limit; sendToGroup is not kept", async () => {
    await publisher.cmd({ cmd: "burst", group: "read-me", prefix: "h", count: 5 });
    await publisher.cmd({ cmd: "toGroup", group: "read-me", data: "not kept" });
    const all = await publisher.cmd<{ offset: number; messages: { offset: number; data: string }[] }>({ cmd: "history", group: "read-me" });
    expect(all.offset).toBe(5);
    expect(datas(all.messages)).toEqual(range("h", 1, 5));
    const some = await publisher.cmd<{ messages: { offset: number }[] }>({ cmd: "history", group: "read-me", since: 2, limit: 2 });
    expect(some.messages.map((m) => m.offset)).toEqual([3, 4]);
  });

  test("the sender's own connection receives its kept message unless excluded", async () => {
    const self = await client();
    await self.cmd({ cmd: "recover", group: "echo" });
    await self.cmd({ cmd: "keep", group: "echo", data: "to me too" });
    await keptUntil(self, "echo", "to me too");
    await self.cmd({ cmd: "keep", group: "echo", data: "not to me", excludeSelf: true });
    await self.cmd({ cmd: "keep", group: "echo", data: "marker" });
    expect(datas(await keptUntil(self, "echo", "marker"))).toEqual(["to me too", "marker"]);
  });
});

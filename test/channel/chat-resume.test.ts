// examples/chat-resume end to end: rooms across processes, and a reload that costs no client a line.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { AppUnderTest, REPO } from "../support/app-under-test.ts";
import { wsClient, type WsClient } from "../support/clients.ts";
import { waitFor } from "../support/wait.ts";

const CHAT = join(REPO, "examples/chat-resume/chat.ts");

type Line = { room: string; offset: number; epoch: string; line: { from?: string; text?: string; came?: string; left?: string } };

const linesOf = (client: WsClient) => client.messages.filter((m) => m.startsWith('{"room"')).map((m) => JSON.parse(m) as Line);

function until(client: WsClient, what: (lines: Line[]) => boolean, label: string): Promise<Line[]> {
  return waitFor(() => linesOf(client), { until: what, timeoutMs: 5000, intervalMs: 10, what: label });
}

const said = (text: string) => (lines: Line[]) => lines.some((l) => l.line.text === text);

describe("examples/chat-resume", () => {
  let app: AppUnderTest;
  let url: string;

  beforeAll(async () => {
    app = await AppUnderTest.start({
      workers: [{ name: "chat", listen: "websocket://127.0.0.1:0", count: 2, handler: CHAT }],
      extra: { reload: { healthySeconds: 0.2 }, channel: { history: { size: 200, ttlSeconds: 600 } } },
    });
    url = `ws://127.0.0.1:${await app.port("chat")}`;
  }, 30_000);

  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
  });

  const join_ = async (name: string, position: { offset?: number; epoch?: string } = {}) => {
    const client = await wsClient(`${url}/?name=${name}`);
    client.ws.send(JSON.stringify({ join: "lobby", ...position }));
    const joined = JSON.parse(await client.next((m) => m.startsWith('{"joined"'))) as { recovered: boolean; offset: number; epoch: string };
    return { client, joined };
  };

  test("lines reach every member whatever their process; after a reload, a client that rejoins from its last offset has every line once", async () => {
    const { client: alice } = await join_("alice");
    const { client: bob } = await join_("bob");
    await until(alice, (lines) => lines.some((l) => l.line.came === "bob"), "bob to arrive");
    for (let i = 1; i <= 5; i++) bob.ws.send(JSON.stringify({ room: "lobby", say: `hello ${i}` }));
    await until(alice, said("hello 5"), "bob's lines");

    await app.api("/api/reload", { method: "POST", body: JSON.stringify({ group: "chat" }) });
    const [aliceClose, bobClose] = await Promise.all([alice.closed, bob.closed]);
    expect([aliceClose.code, bobClose.code]).toEqual([1001, 1001]);
    const held = linesOf(alice);

    // Someone talks while alice is away.
    const { client: dave } = await join_("dave");
    for (let i = 1; i <= 3; i++) dave.ws.send(JSON.stringify({ room: "lobby", say: `while away ${i}` }));
    await until(dave, said("while away 3"), "dave's lines");

    const last = held.at(-1)!;
    const { client: back, joined } = await join_("alice", { offset: last.offset, epoch: last.epoch });
    expect(joined.recovered).toBe(true);
    dave.ws.send(JSON.stringify({ room: "lobby", say: "welcome back" }));
    await until(back, said("welcome back"), "the live line");
    const all = [...held, ...linesOf(back)];
    expect(all.map((l) => l.offset)).toEqual(Array.from({ length: all.length }, (_, i) => all[0]!.offset + i));
    const texts = all.flatMap((l) => (l.line.text ? [l.line.text] : []));
    expect(texts).toEqual(["hello 1", "hello 2", "hello 3", "hello 4", "hello 5", "while away 1", "while away 2", "while away 3", "welcome back"]);
    // The reload said nobody "left"; dave's arrival is in the replay.
    expect(all.some((l) => l.line.left)).toBe(false);
    expect(all.some((l) => l.line.came === "dave")).toBe(true);

    back.ws.send(JSON.stringify({ who: "lobby" }));
    expect(JSON.parse(await back.next((m) => m.startsWith('{"members"')))).toEqual({ members: "lobby", names: expect.arrayContaining(["alice", "dave"]) });
    dave.ws.close();
    await until(back, (lines) => lines.some((l) => l.line.left === "dave"), "dave to leave");
    back.ws.close();
  }, 30_000);
});

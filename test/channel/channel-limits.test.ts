// worker.channel's fixed bounds: names and uids of at most 256 bytes, at most 1024 groups per connection; each error names its limit.
import { expect, test } from "bun:test";
import { MAX_GROUPS_PER_CONNECTION, MAX_NAME_BYTES } from "../../src/channel/channel-limits.ts";
import { WorkerChannel } from "../../src/channel/worker/worker-channel.ts";
import { isAppError } from "../../src/errors.ts";
import { fakeConn, fakeHost } from "./fake-host.ts";

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a throw");
}

test("a group name, topic or uid over 256 bytes is refused with E_LIMIT naming the limit; 256 bytes pass", () => {
  const host = fakeHost();
  const channel = new WorkerChannel(host);
  const conn = fakeConn(1);
  const long = "g".repeat(5_000_000);
  const cases: [string, () => unknown][] = [
    ["group", () => channel.joinGroup(conn, long)],
    ["group", () => channel.sendToGroup(long, "x")],
    ["group", () => channel.publishToGroup(long, "x")],
    ["group", () => channel.getGroupCount(long)],
    ["topic", () => channel.publish(long, 1)],
    ["topic", () => channel.subscribe(long, () => {})],
    ["uid", () => channel.bindUid(conn, long)],
    ["uid", () => channel.sendToUid(long, "x")],
    ["uid", () => channel.isUidOnline(long)],
  ];
  for (const [field, call] of cases) {
    const err = thrown(call);
    expect(isAppError(err) && err.code).toBe("E_LIMIT");
    expect(String(err)).toContain(`over the limit of ${MAX_NAME_BYTES} bytes`);
    expect(isAppError(err) && err.field).toBe(field);
  }
  // Bytes, not characters: 100 three-byte characters are 300 bytes.
  expect(String(thrown(() => channel.joinGroup(conn, "€".repeat(100))))).toContain("a group name of 300 bytes is over the limit of 256 bytes");
  channel.joinGroup(conn, "g".repeat(MAX_NAME_BYTES));
  channel.bindUid(conn, "u".repeat(MAX_NAME_BYTES));
  expect(channel.groupsOf(conn)).toEqual(["g".repeat(MAX_NAME_BYTES)]);
  expect(channel.uidOf(conn)).toBe("u".repeat(MAX_NAME_BYTES));
});

test("a connection in 1024 groups cannot join another (E_LIMIT, named); leaving one makes room; joining one it is in still passes", () => {
  const channel = new WorkerChannel(fakeHost());
  const conn = fakeConn(1);
  for (let i = 0; i < MAX_GROUPS_PER_CONNECTION; i++) channel.joinGroup(conn, `room:${i}`);
  const err = thrown(() => channel.joinGroup(conn, "one-more"));
  expect(String(err)).toBe(
    `E_LIMIT: group: channel: joinGroup("one-more"): the connection is already in ${MAX_GROUPS_PER_CONNECTION} groups, the limit per connection (leave one first)`,
  );
  channel.joinGroup(conn, "room:5");
  channel.leaveGroup(conn, "room:5");
  channel.joinGroup(conn, "one-more");
  expect(channel.groupsOf(conn)).toHaveLength(MAX_GROUPS_PER_CONNECTION);
  // Another connection has its own budget.
  channel.joinGroup(fakeConn(2), "one-more");
});

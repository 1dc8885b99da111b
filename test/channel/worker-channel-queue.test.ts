// worker.channel when the master's IPC queue is full: bindings are kept and sent later, never lost; queries fail at once.
import { expect, test } from "bun:test";
import { WorkerChannel } from "../../src/channel/worker/worker-channel.ts";
import { waitFor } from "../support/wait.ts";
import { fakeConn as conn, fakeHost } from "./fake-host.ts";

test("refused bindings are sent once the queue has room, before any later message, with the counts of then", async () => {
  const host = fakeHost();
  const channel = new WorkerChannel(host);
  host.full = true;
  const a = conn(1);
  const b = conn(2);
  channel.joinGroup(a, "room");
  channel.subscribe("news", () => {});
  channel.sendToGroup("room", "dropped while full");
  channel.joinGroup(b, "room");
  await Bun.sleep(0);
  expect(host.sent).toEqual([]);

  host.full = false;
  channel.sendToGroup("room", "after");
  expect(host.sent[0]).toEqual({ op: "state", groups: [["room", 2]], sub: ["news"] });
  expect(host.sent[1]).toMatchObject({ op: "group", group: "room", data: "after" });
  expect(host.sent).toHaveLength(2);
});

test("with nothing else to send, refused bindings go by themselves once the queue has room", async () => {
  const host = fakeHost();
  const channel = new WorkerChannel(host);
  host.full = true;
  channel.bindUid(conn(1), "u1");
  await Bun.sleep(0);
  host.full = false;
  await waitFor(() => host.sent.length > 0, { timeoutMs: 2000, what: "the retried state" });
  expect(host.sent).toEqual([{ op: "state", uids: [["u1", 1]] }]);
});

test("a query the queue refuses fails at once, naming the limit", async () => {
  const host = fakeHost();
  const channel = new WorkerChannel(host);
  host.full = true;
  const started = performance.now();
  await expect(channel.getUidCount()).rejects.toThrow(/uidCount not asked: the queue to the master is full \(16 MiB unread\)/);
  expect(performance.now() - started).toBeLessThan(1000);
});

// The IPC outboxes: bytes counted until the runtime says written, droppable messages dropped past the cap, reports once a minute.
import { describe, expect, test } from "bun:test";
import { DROP_REPORT_WINDOW_MS, IpcOutbox, messageBytes } from "../../src/ipc-outbox.ts";
import type { MasterToWorker } from "../../src/ipc.ts";
import { ipcDrops } from "../../src/master/ipc-drops.ts";
import { WorkerOutbox } from "../../src/master/worker-outbox.ts";

type Msg = { type: "data"; payload: { text: string } } | { type: "control" };

/** A runtime that never writes until told: what a peer that does not read looks like. */
function stalledRuntime() {
  const waiting: (() => void)[] = [];
  const sent: Msg[] = [];
  return {
    sent,
    send: (message: Msg, written: () => void) => {
      sent.push(message);
      waiting.push(written);
    },
    writeAll: () => {
      for (const done of waiting.splice(0)) done();
    },
  };
}

const data = (n: number): Msg => ({ type: "data", payload: { text: "x".repeat(n) } });

describe("IpcOutbox", () => {
  test("past the cap droppable messages are refused and counted; control messages still go; written bytes free room", () => {
    const runtime = stalledRuntime();
    const reports: number[] = [];
    let time = 0;
    const outbox = new IpcOutbox<Msg>(runtime.send, {
      capBytes: 10_000,
      droppable: (m) => m.type === "data",
      onDropReport: (n) => reports.push(n),
      now: () => time,
    });
    let accepted = 0;
    for (let i = 0; i < 100; i++) if (outbox.send(data(1000))) accepted++;
    // The cap is checked before each message: it may be passed by one message at most.
    expect(accepted).toBe(10);
    expect(outbox.pendingBytes).toBeGreaterThanOrEqual(10_000);
    expect(outbox.pendingBytes).toBeLessThan(10_000 + 1100);
    expect(outbox.dropped).toBe(90);
    expect(reports).toEqual([1]); // the first drop of the window, then silence
    expect(outbox.send({ type: "control" })).toBe(true);
    expect(runtime.sent.at(-1)).toEqual({ type: "control" });

    runtime.writeAll();
    expect(outbox.pendingBytes).toBe(0);
    expect(outbox.send(data(1000))).toBe(true);

    for (let i = 0; i < 20; i++) outbox.send(data(1000));
    time += DROP_REPORT_WINDOW_MS;
    outbox.send(data(1000));
    // A minute later, one line for everything since the first report: 89 of the first burst, 11 + 1 now.
    expect(reports).toEqual([1, 101]);
  });

  test("a callback run twice (or never, then the runtime throws) does not corrupt the count", () => {
    const calls: (() => void)[] = [];
    const outbox = new IpcOutbox<Msg>((_m, written) => calls.push(written), { droppable: () => true });
    outbox.send(data(10));
    calls[0]!();
    calls[0]!();
    expect(outbox.pendingBytes).toBe(0);
    const throwing = new IpcOutbox<Msg>(
      () => {
        throw new Error("channel closed");
      },
      { droppable: () => true },
    );
    expect(() => throwing.send(data(10))).toThrow("channel closed");
    expect(throwing.pendingBytes).toBe(0);
  });

  test("a message is sized about as JSON writes it (UTF-8, nested), without writing it", () => {
    const samples: object[] = [
      { type: "channel", payload: { op: "all", data: "é".repeat(1000), ex: [[1, 2]] } },
      { type: "channel", payload: { op: "kept", group: "room", offset: 12345, epoch: "e-1", data: { b: "QUJD".repeat(500) } } },
      { type: "stop", graceful: true, reason: "stop" },
      { type: "stats", counters: { connections: 3, requests: 1_000_000, rssBytes: 123_456_789, metrics: { a: 1 } } },
    ];
    for (const message of samples) {
      const exact = Buffer.byteLength(JSON.stringify(message)) + 1;
      expect(messageBytes(message)).toBeGreaterThanOrEqual(exact * 0.9);
      expect(messageBytes(message)).toBeLessThanOrEqual(exact * 1.5 + 40);
    }
  });
});

describe("WorkerOutbox (master -> one worker)", () => {
  test("a worker that does not read: channel traffic and queries dropped past 16 MiB and counted; stop still goes", () => {
    const waiting: unknown[] = [];
    const events: unknown[] = [];
    ipcDrops.listen((event) => events.push(event));
    const before = ipcDrops.totals["to-worker"];
    const child = { send: (message: unknown) => waiting.push(message) };
    const outbox = new WorkerOutbox(() => child, { pid: 7, group: "web" });
    const payload = { op: "all" as const, data: "y".repeat(10_000) };
    let sent = 0;
    for (let i = 0; i < 3000; i++) if (outbox.send({ type: "channel", payload })) sent++;
    expect(sent).toBe(Math.ceil(outbox.capBytes / messageBytes({ type: "channel", payload })));
    expect(outbox.send({ type: "query", requestId: 1, what: "connections" })).toBe(false);
    expect(outbox.send({ type: "stop", graceful: true, reason: "stop" })).toBe(true);
    expect(ipcDrops.totals["to-worker"] - before).toBe(3000 - sent + 1);
    expect(events).toEqual([{ type: "ipc-dropped", pid: 7, group: "web", direction: "to-worker", count: 1, capBytes: outbox.capBytes }]);
  });

  test("a worker's own drops arrive in its stats: counted once each, reported at the first increase", () => {
    const events: { count: number; direction: string }[] = [];
    ipcDrops.listen((event) => events.push(event));
    const before = ipcDrops.totals["to-master"];
    const outbox = new WorkerOutbox(() => ({ send: () => {} }), { pid: 8, group: "web" });
    const stats = (ipcDropped?: number) => ({ ipcDropped }) as unknown as Parameters<typeof outbox.observeStats>[0];
    outbox.observeStats(stats(undefined));
    outbox.observeStats(stats(40));
    outbox.observeStats(stats(40));
    outbox.observeStats(stats(45));
    expect(ipcDrops.totals["to-master"] - before).toBe(45);
    expect(events).toMatchObject([{ direction: "to-master", count: 40 }]);
  });

  test("typed for the real messages", () => {
    const message: MasterToWorker = { type: "health-check", requestId: 1 };
    expect(messageBytes(message)).toBeGreaterThan(10);
  });
});

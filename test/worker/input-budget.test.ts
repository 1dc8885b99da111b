// The input budget and packageTimeout on stream connections: partial packets counted, the heaviest shed, stalled ones timed out.
import { expect, test } from "bun:test";
import type { Socket } from "bun";
import type { WorkerGroupConfig } from "../../src/config/types.ts";
import type { Protocol } from "../../src/protocols/protocol.ts";
import { textProtocol } from "../../src/protocols/text.ts";
import { collectNow, freedSinceCollection, releaseBuffer } from "../../src/released-memory.ts";
import { InputBudget } from "../../src/worker/input-budget.ts";
import { IdleSweep, sweepPlan } from "../../src/worker/listeners/idle-sweep.ts";
import { WorkerRuntime } from "../../src/worker/runtime.ts";
import { ShedLog } from "../../src/worker/shed-log.ts";
import { StreamConnection } from "../../src/worker/stream-connection.ts";

function setup(overrides: Partial<WorkerGroupConfig> = {}) {
  const config = {
    name: "text",
    listen: { scheme: "text", host: "127.0.0.1", port: 0 },
    idleTimeout: 600,
    packageTimeout: 1,
    maxBufferedInput: 1000,
    maxSendBufferSize: 1 << 20,
    maxPackageSize: 1 << 20,
    ...overrides,
  } as unknown as WorkerGroupConfig;
  const runtime = new WorkerRuntime({ config, index: 0, generation: 1 }, () => {});
  const messages: string[] = [];
  runtime.setApp({ onMessage: (_conn, line) => void messages.push(String(line)) });
  let port = 40000;
  const open = (address = "127.0.0.1", framing: Protocol | null = textProtocol) => {
    const state = { terminated: false };
    let conn: StreamConnection | null = null;
    const socket = {
      write: (data: string | Uint8Array) => (typeof data === "string" ? Buffer.byteLength(data) : data.byteLength),
      end: () => conn?.onClosed(),
      terminate: () => void (state.terminated = true),
      pause() {},
      resume() {},
    } as unknown as Socket<StreamConnection>;
    conn = new StreamConnection(runtime, socket, framing === null ? "tcp" : "text", framing, { remoteAddress: address, remotePort: port++, localPort: 8000 });
    return { conn, state };
  };
  return { runtime, messages, open };
}

const bytes = (n: number, fill = 97) => Buffer.alloc(n, fill);

test("a partial packet counts towards the budget until it completes, or its connection closes", () => {
  const { runtime, messages, open } = setup();
  const a = open();
  a.conn.onData(bytes(100));
  expect(runtime.input.held).toBeGreaterThanOrEqual(100);
  expect(a.conn.inputHeld).toBe(runtime.input.held);
  a.conn.onData(Buffer.from("\n"));
  expect(messages).toEqual(["a".repeat(100)]);
  expect(runtime.input.held).toBe(0);
  a.conn.onData(bytes(50));
  expect(runtime.input.held).toBeGreaterThan(0);
  a.conn.close();
  expect(a.conn.closed).toBe(true);
  expect(runtime.input.held).toBe(0);
});

test("past maxBufferedInput the connections holding the most are closed, just enough of them, counted", () => {
  const { runtime, open } = setup({ maxBufferedInput: 1000 });
  const small = open("10.0.0.1");
  const big = open("10.0.0.2");
  const middle = open("10.0.0.3");
  small.conn.onData(bytes(300));
  big.conn.onData(bytes(450));
  expect(runtime.counters.inputShed).toBe(0);
  middle.conn.onData(bytes(400)); // 1,150 held: the 450 are shed, the rest fits
  expect(big.state.terminated).toBe(true);
  expect(big.conn.closed).toBe(true);
  expect([small.conn.closed, middle.conn.closed]).toEqual([false, false]);
  expect(runtime.counters.inputShed).toBe(1);
  expect(runtime.input.held).toBe(700);
  // Complete packets are never held: a client that sends whole lines costs the budget nothing.
  small.conn.onData(Buffer.from("\nfine\n"));
  expect(runtime.input.held).toBe(400);
});

test("a packet over budget on its own is shed by its own chunk, after the messages before it were delivered", () => {
  const { runtime, messages, open } = setup({ maxBufferedInput: 100 });
  const a = open();
  a.conn.onData(Buffer.concat([Buffer.from("first\n"), bytes(500)]));
  expect(messages).toEqual(["first"]);
  expect(a.conn.closed).toBe(true);
  expect(runtime.input.held).toBe(0);
  expect(runtime.counters.inputShed).toBe(1);
});

test("packageTimeout: the sweep closes a connection whose partial packet stays unfinished; one that completes packets stays", () => {
  const { runtime, open } = setup({ packageTimeout: 1, idleTimeout: 600 });
  const sweep = new IdleSweep(runtime, 600, 1);
  const stalled = open();
  const busy = open();
  stalled.conn.onData(bytes(10));
  let closedAt = -1;
  for (let i = 1; i <= sweep.plan.stallSweeps + 2 && closedAt < 0; i++) {
    // The busy one finishes a line and starts the next every sweep: always a partial packet, never the same one.
    busy.conn.onData(Buffer.from(`x\n${i}`));
    sweep.sweep();
    if (stalled.conn.closed) closedAt = i;
  }
  expect(closedAt).toBe(sweep.plan.stallSweeps);
  expect(busy.conn.closed).toBe(false);
  expect(runtime.counters.packageTimeouts).toBe(1);
  expect(runtime.counters.idleClosed).toBe(0);
  expect(sweep.plan.stallSweeps * sweep.plan.everyMs).toBeGreaterThan(1000);
});

test("the plan with packageTimeout: never early, and the 8-bit counts still cover the longer timeout", () => {
  expect(sweepPlan(0, 30)).toEqual({ everyMs: 1000, quietSweeps: 0, stallSweeps: 31 });
  const both = sweepPlan(600, 30);
  expect(both.quietSweeps * both.everyMs).toBe(600_000);
  expect((both.stallSweeps - 1) * both.everyMs).toBeGreaterThanOrEqual(30_000);
  expect(both.stallSweeps * both.everyMs).toBeLessThan(30_000 + 2 * both.everyMs);
  const short = sweepPlan(1, 30);
  expect(short.quietSweeps * short.everyMs).toBe(1000);
  expect(short.stallSweeps).toBeLessThanOrEqual(255);
});

test("the shed log: the first event at once, then one line a minute with the top addresses", () => {
  const lines: string[] = [];
  let now = 0;
  const log = new ShedLog(
    { budget: "shed", timeout: "timed out" },
    (line) => lines.push(line),
    () => now,
  );
  log.record("budget", "10.0.0.1");
  expect(lines).toEqual(["1 shed; top addresses: 10.0.0.1 (1)"]);
  now = 1000;
  for (let i = 0; i < 5; i++) log.record("budget", "10.0.0.2");
  log.record("timeout", "10.0.0.3");
  expect(lines.length).toBe(1);
  now = 61_000;
  log.record("budget", "10.0.0.2");
  expect(lines[1]).toBe("6 shed, 1 timed out; top addresses: 10.0.0.2 (6), 10.0.0.3 (1)");
});

test("big buffers let go count until a forced collection: dropped ones for the collector, freed ones for the allocator", () => {
  const counters = { inputShed: 0, packageTimeouts: 0 };
  const budget = new InputBudget({ counters, forEachStreamHolder() {} }, 1_000_000, 0);
  collectNow();
  budget.add(700_000);
  budget.changed(700_000, 600_000, true); // its old buffer freed at once: the allocator's to count
  expect([budget.held, budget.dropped, budget.over]).toEqual([600_000, 0, false]);
  expect(releaseBuffer(Buffer.alloc(500_000))).toBe(true);
  expect([freedSinceCollection(), budget.over]).toEqual([500_000, true]);
  // What is held is within the limit, so nobody is closed, but a collection runs and gives the freed bytes back.
  expect(budget.shed()).toBe(0);
  expect([freedSinceCollection(), budget.over]).toEqual([0, false]);
  // A buffer dropped (not freed) is the collector's: counted until the next forced collection, at least 10 ms on.
  budget.changed(600_000, 500_000);
  expect([budget.dropped, budget.over]).toEqual([600_000, true]);
  expect(budget.shed()).toBe(0);
  expect(budget.dropped).toBe(600_000);
  expect(counters.inputShed).toBe(0);
});

test("a text connection frees each big read once parsed; raw tcp and custom protocols keep theirs (the handler may hold views)", () => {
  const { runtime, open } = setup({ maxBufferedInput: 1 << 30, maxPackageSize: 1 << 24 });
  const text = open();
  const read = bytes(200_000);
  text.conn.onData(read);
  expect(read.byteLength).toBe(0);
  // Its partial packet is kept (a copy), counted, and the buffers it outgrows are freed, not left as garbage.
  expect(runtime.input.held).toBeGreaterThanOrEqual(200_000);
  text.conn.onData(bytes(300_000));
  expect(runtime.input.dropped).toBe(0);
  const small = bytes(1000);
  text.conn.onData(small);
  expect(small.byteLength).toBe(1000);
  text.conn.close();
  expect([runtime.input.held, runtime.input.dropped]).toEqual([0, 0]);

  // A custom protocol's decode may hand out views of the read, and a tcp handler gets the read itself.
  const kept: Uint8Array[] = [];
  const views = { input: (b: Uint8Array) => b.length, decode: (b: Uint8Array) => (kept.push(b), b), encode: (m: unknown) => String(m) };
  open("127.0.0.1", views).conn.onData(bytes(100_000, 98));
  runtime.setApp({ onMessage: (_conn, data) => void kept.push(data as Uint8Array) });
  open("127.0.0.1", null).conn.onData(bytes(100_000, 99));
  expect(kept.map((b) => [b.byteLength, b[99_999]])).toEqual([
    [100_000, 98],
    [100_000, 99],
  ]);
});

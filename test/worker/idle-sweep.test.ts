// The stream idle sweep's bookkeeping, driven sweep by sweep: quiet counts in flags, traffic and pausing reset them.
import { expect, test } from "bun:test";
import type { Socket } from "bun";
import type { WorkerGroupConfig } from "../../src/config/types.ts";
import { IdleSweep, sweepPlan } from "../../src/worker/listeners/idle-sweep.ts";
import { WorkerRuntime } from "../../src/worker/runtime.ts";
import { StreamConnection } from "../../src/worker/stream-connection.ts";

const config = {
  name: "raw",
  listen: { scheme: "tcp", host: "127.0.0.1", port: 0 },
  idleTimeout: 1,
  maxSendBufferSize: 1 << 20,
  maxPackageSize: 1 << 20,
} as unknown as WorkerGroupConfig;
const peer = { remoteAddress: "127.0.0.1", remotePort: 40000, localPort: 8000 };

interface FakeSocket {
  /** How many bytes of each write the "kernel" takes: 0 is a peer that stopped reading. */
  takes: number;
  ended: boolean;
  terminated: boolean;
}

/** A runtime and connections on sockets that close as Bun's do (end() runs the close callback). */
function setup() {
  const runtime = new WorkerRuntime({ config, index: 0, generation: 1 }, () => {});
  const closed: number[] = [];
  runtime.setApp({ onClose: (conn) => void closed.push(conn.id) });
  const open = (handlers: ConstructorParameters<typeof StreamConnection>[5] = null) => {
    const state: FakeSocket = { takes: Infinity, ended: false, terminated: false };
    let conn: StreamConnection | null = null;
    const socket = {
      write: (data: string | Uint8Array) => Math.min(state.takes, typeof data === "string" ? Buffer.byteLength(data) : data.byteLength),
      end: () => ((state.ended = true), conn?.onClosed()),
      terminate: () => void (state.terminated = true),
      pause() {},
      resume() {},
    } as unknown as Socket<StreamConnection>;
    conn = new StreamConnection(runtime, socket, "tcp", null, peer, handlers);
    return { conn, state };
  };
  return { runtime, closed, open, sweep: new IdleSweep(runtime, 1) };
}

test("the plan: a quarter of the timeout within 100 ms..1 s; past 255 s the 8-bit count sets the pace", () => {
  expect(sweepPlan(1)).toEqual({ everyMs: 250, quietSweeps: 4, stallSweeps: 0 });
  expect(sweepPlan(60)).toEqual({ everyMs: 1000, quietSweeps: 60, stallSweeps: 0 });
  expect(sweepPlan(0.2)).toEqual({ everyMs: 100, quietSweeps: 2, stallSweeps: 0 });
  expect(sweepPlan(255)).toEqual({ everyMs: 1000, quietSweeps: 255, stallSweeps: 0 });
  expect(sweepPlan(3600)).toEqual({ everyMs: 3_600_000 / 255, quietSweeps: 255, stallSweeps: 0 });
});

test("a silent connection is closed after a whole timeout of quiet sweeps, counted once; traffic either way resets it", () => {
  const { runtime, closed, open, sweep } = setup();
  const silent = open();
  const talking = open();
  const listening = open();
  // The first sweep after the open only clears its mark (opening counts as traffic); then 4 quiet sweeps close it.
  for (let i = 0; i < 4; i++) {
    expect(sweep.sweep()).toBe(3);
    talking.conn.onData(Buffer.from("x"));
    listening.conn.send("pushed");
  }
  expect(silent.conn.closed).toBe(false);
  sweep.sweep();
  expect(silent.conn.closed).toBe(true);
  expect(closed).toEqual([silent.conn.id]);
  expect(runtime.counters.idleClosed).toBe(1);
  expect(talking.conn.closed || listening.conn.closed).toBe(false);
  // Their last bytes came before that sweep, which cleared the marks: 4 quiet sweeps from it and they go too.
  for (let i = 0; i < 3; i++) sweep.sweep();
  expect(runtime.connections.size).toBe(2);
  sweep.sweep();
  expect(runtime.connections.size).toBe(0);
  expect(runtime.counters.idleClosed).toBe(3);
  // Nothing left to sweep: the next sweep finds none.
  expect(sweep.sweep()).toBe(0);
});

test("a paused connection is left alone; a peer that stopped reading is dropped with its unsent bytes", () => {
  const { runtime, open, sweep } = setup();
  const paused = open();
  const stuck = open();
  paused.conn.pauseRecv();
  stuck.state.takes = 0;
  stuck.conn.send("never read");
  expect(stuck.conn.pendingSendBytes).toBe(10);
  for (let i = 0; i < 5; i++) sweep.sweep();
  expect(stuck.state.terminated).toBe(true);
  expect(stuck.conn.closed).toBe(true);
  expect(paused.conn.closed).toBe(false);
  for (let i = 0; i < 20; i++) sweep.sweep();
  expect(paused.conn.closed).toBe(false);
  // Resumed, it is counted from then on.
  paused.conn.resumeRecv();
  for (let i = 0; i < 5; i++) sweep.sweep();
  expect(paused.conn.closed).toBe(true);
  expect(runtime.counters.idleClosed).toBe(2);
});

test("outbound connections are the handler's own: never swept", () => {
  const { runtime, open, sweep } = setup();
  const outbound = open({});
  expect(outbound.conn.outbound).toBe(true);
  for (let i = 0; i < 10; i++) expect(sweep.sweep()).toBe(0);
  expect(outbound.conn.closed).toBe(false);
  expect(runtime.counters.idleClosed).toBe(0);
});

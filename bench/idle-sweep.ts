// Micro-benchmark of the stream idle sweep (`bun bench/idle-sweep.ts [connections]`): µs per sweep over N idle connections.
import type { Socket } from "bun";
import { heapStats } from "bun:jsc";
import type { WorkerGroupConfig } from "../src/config/types.ts";
import { IdleSweep } from "../src/worker/listeners/idle-sweep.ts";
import { WorkerRuntime } from "../src/worker/runtime.ts";
import { StreamConnection } from "../src/worker/stream-connection.ts";

const count = Number(process.argv[2] ?? 100_000);
const SWEEPS = 200;

/** Just what a worker runtime reads from its group: the sweep and the connections need nothing else here. */
const config = {
  name: "bench",
  listen: { scheme: "tcp", host: "127.0.0.1", port: 0 },
  idleTimeout: 60,
  maxSendBufferSize: 1 << 20,
  maxPackageSize: 1 << 20,
} as unknown as WorkerGroupConfig;
const runtime = new WorkerRuntime({ config, index: 0, generation: 1 }, () => {});
/** A socket that takes every write: no kernel in the way, only the sweep is timed. */
const socket = { write: (data: string | Uint8Array) => data.length, end() {}, terminate() {}, pause() {}, resume() {} } as unknown as Socket<StreamConnection>;
const peer = { remoteAddress: "127.0.0.1", remotePort: 40000, localPort: 8000 };
/** JS heap bytes in use after a full collection (bun:jsc): what the connections themselves cost, no kernel or Bun socket. */
function heapBytes(): number {
  Bun.gc(true);
  return heapStats().heapSize;
}
const conns: StreamConnection[] = new Array(count);
const heapBefore = heapBytes();
for (let i = 0; i < count; i++) conns[i] = new StreamConnection(runtime, socket, "tcp", null, peer);
const heapPerConnection = (heapBytes() - heapBefore) / count;

// An hour's timeout: 255 sweeps to close, so the timed ones only count up; the time per sweep does not depend on it.
const sweep = new IdleSweep(runtime, 3600);

/** µs per sweep: median of SWEEPS, each after `before` (which sets what the sweep will find). */
function time(before: () => void): { median: number; p99: number } {
  const samples: number[] = [];
  for (let i = 0; i < SWEEPS; i++) {
    before();
    const started = performance.now();
    const seen = sweep.sweep();
    samples.push((performance.now() - started) * 1000);
    if (seen !== count) throw new Error(`swept ${seen} of ${count}`);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[SWEEPS >> 1]!, p99: samples[Math.floor(SWEEPS * 0.99)]! };
}

// Quiet: every connection counts one more quiet sweep. Active: every one was written to since the last sweep.
const quiet = time(() => {});
const active = time(() => {
  for (const conn of conns) conn.send("x");
});
const per = (us: number) => ((us * 1000) / count).toFixed(1);
console.log(`JS heap per connection: ${heapPerConnection.toFixed(0)} bytes (the connection object, its registry slot, the sweep's state)`);
console.log(
  `idle sweep over ${count.toLocaleString("en")} connections (a sweep a second at idleTimeout 4..255): quiet ${quiet.median.toFixed(0)} µs (p99 ${quiet.p99.toFixed(0)}, ${per(quiet.median)} ns a connection), all active ${active.median.toFixed(0)} µs (p99 ${active.p99.toFixed(0)}, ${per(active.median)} ns a connection)`,
);
process.exit(0);

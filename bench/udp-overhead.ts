// What our UDP layer adds per datagram, in CPU time, apart from the kernel and node:dgram (`bun bench/udp-overhead.ts`).
// The same datagrams go through UdpConnection + deliver + an echo handler, and through raw Bun's echo, both into a
// send() that does nothing: the difference is our per-datagram JavaScript, independent of how loaded the box is.
import type dgram from "node:dgram";
import type { WorkerGroupConfig } from "../src/config/types.ts";
import { UdpConnection } from "../src/worker/listeners/udp.ts";
import { WorkerRuntime } from "../src/worker/runtime.ts";

const DATAGRAMS = 2_000_000;
const config = {
  name: "udp",
  listen: { scheme: "udp", host: "127.0.0.1", port: 9, url: "udp://127.0.0.1:9" },
  maxPackageSize: 65_536,
  maxSendBufferSize: 1 << 20,
} as unknown as WorkerGroupConfig;
const runtime = new WorkerRuntime({ config, index: 0, generation: 1 }, () => {});
runtime.setApp({ onMessage: (conn, data) => void conn.send(data) });
let sent = 0;
const socket = { send: () => void sent++ } as unknown as dgram.Socket;
const rinfo = { address: "127.0.0.1", port: 40_000, family: "IPv4", size: 64 } as dgram.RemoteInfo;
const message = Buffer.alloc(64, 1);
const onSent = (err: Error | null) => void (err && runtime.counters.sendFail++);

function cpuNsPer(run: () => void): number {
  const best: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    best.push(((used.user + used.system) * 1000) / DATAGRAMS);
  }
  return Math.min(...best);
}

const ours = cpuNsPer(() => {
  for (let i = 0; i < DATAGRAMS; i++) new UdpConnection(runtime, socket, rinfo, 9, onSent).onDatagram(message);
});
const raw = cpuNsPer(() => {
  // raw-bun.ts's echo: socket.on("message", (message, from) => socket.send(message, from.port, from.address)).
  const handler = (m: Buffer, from: dgram.RemoteInfo) => socket.send(m, from.port, from.address);
  for (let i = 0; i < DATAGRAMS; i++) handler(message, rinfo);
});
console.log(
  `per datagram, best of 5 x ${DATAGRAMS.toLocaleString("en")}: ours ${ours.toFixed(0)} ns, raw echo ${raw.toFixed(0)} ns, our layer adds ${(ours - raw).toFixed(0)} ns (sent ${sent.toLocaleString("en")})`,
);

// Micro-benchmark, not a test: `bun test/protocols/packet-reader.bench.ts` prints PacketReader throughput.
import { frameProtocol } from "../src/protocols/frame.ts";
import { jsonProtocol } from "../src/protocols/json.ts";
import { PacketReader } from "../src/protocols/packet-reader.ts";
import type { Protocol } from "../src/protocols/protocol.ts";
import { textProtocol } from "../src/protocols/text.ts";
import { concat, connection, plain, toBytes } from "../test/protocols/common.case.ts";

const COUNT = 1_000_000;
const CHUNK = 64 * 1024;

function chunks(protocol: Protocol<unknown>, message: unknown): Buffer[] {
  const packet = toBytes(protocol.encode(message, connection()));
  const stream = Buffer.from(concat(Array.from({ length: COUNT }, () => packet)));
  const out: Buffer[] = [];
  for (let at = 0; at < stream.length; at += CHUNK) out.push(stream.subarray(at, at + CHUNK));
  return out;
}

function run(name: string, protocol: Protocol<unknown>, parts: Buffer[]): void {
  const bytes = parts.reduce((n, p) => n + p.length, 0);
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const reader = new PacketReader(protocol, connection());
    const start = performance.now();
    let count = 0;
    for (const part of parts) count += reader.push(part).length;
    best = Math.min(best, performance.now() - start);
    if (count !== COUNT) throw new Error(`${name}: ${count} messages`);
  }
  const mps = (COUNT / best) * 1000;
  const mibps = ((bytes / best) * 1000) / 2 ** 20;
  const rate = `${(mps / 1e6).toFixed(2)} M msg/s  ${mibps.toFixed(0)} MiB/s`;
  console.log(`${name.padEnd(30)} ${best.toFixed(0).padStart(5)} ms  ${rate}`);
}

const line = "hello world, message number 12345";
const textParts = chunks(textProtocol, line);
const frameParts = chunks(frameProtocol, line);
const jsonParts = chunks(jsonProtocol, { id: 12345, op: "hello" });
console.log(`${COUNT} packets in ${CHUNK / 1024} KiB chunks, best of 5, Bun ${Bun.version}`);
run("text (built-in fast path)", textProtocol, textParts);
run("text (plain input/decode)", plain(textProtocol), textParts);
run("frame (built-in fast path)", frameProtocol, frameParts);
run("frame (plain input/decode)", plain(frameProtocol), frameParts);
run("json (built-in fast path)", jsonProtocol, jsonParts);

const long = Buffer.alloc(10 * 1024 * 1024 - 1, 0x61);
const start = performance.now();
const reader = new PacketReader(textProtocol, connection());
for (let at = 0; at < long.length; at += CHUNK) reader.push(long.subarray(at, at + CHUNK));
const last = reader.push(Buffer.from("\n"));
console.log(`one 10 MiB line in 64 KiB chunks: ${(performance.now() - start).toFixed(1)} ms (${last.length} message)`);

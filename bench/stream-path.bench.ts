// Micro-benchmark, not a test: the per-chunk path of a text://, frame:// or json connection (split, decode, handler, encode, batch, write) with a socket that takes every byte (`bun bench/stream-path.bench.ts [src dirs to compare...]`).
import { resolve } from "node:path";
import type { Socket } from "bun";

const ROUNDS = 7;
const CHUNKS = 200_000;
const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2).map((dir) => resolve(dir)) : [resolve(import.meta.dir, "../src")];

type ProtocolName = "text" | "frame" | "json";
/** What each protocol carries: the same line as the load generators send (bench/load/wire.ts). */
const MESSAGES: Record<ProtocolName, unknown> = { text: "hello world 0123", frame: "hello world 0123", json: { id: 1, text: "hello world 0123" } };

interface Subject {
  root: string;
  run(packetsPerChunk: number, protocol: ProtocolName): number;
}

async function load(root: string): Promise<Subject> {
  const { WorkerRuntime } = await import(`${root}/worker/runtime.ts`);
  const { StreamConnection } = await import(`${root}/worker/stream-connection.ts`);
  const { textProtocol } = await import(`${root}/protocols/text.ts`);
  const { frameProtocol } = await import(`${root}/protocols/frame.ts`);
  const { jsonProtocol } = await import(`${root}/protocols/json.ts`);
  const config = { name: "echo", listen: { scheme: "text", host: "127.0.0.1", port: 0 }, idleTimeout: 0, packageTimeout: 0, maxBufferedInput: 1 << 26 };
  Object.assign(config, { maxSendBufferSize: 1 << 20, maxPackageSize: 1 << 20 });
  const runtime = new WorkerRuntime({ config, index: 0, generation: 1 }, () => {});
  runtime.setApp({ onMessage: (conn: { send(data: unknown): void }, data: unknown) => conn.send(data) });
  let written = 0;
  const socket = {
    write: (data: string | Uint8Array, _offset?: number, length?: number) => {
      const n = length ?? (typeof data === "string" ? Buffer.byteLength(data) : data.byteLength);
      written += n;
      return n;
    },
    end() {},
    terminate() {},
    pause() {},
    resume() {},
  } as unknown as Socket<unknown>;
  const protocols = { text: textProtocol, frame: frameProtocol, json: jsonProtocol };
  return {
    root,
    run(packetsPerChunk, name) {
      const protocol = protocols[name];
      const conn = new StreamConnection(runtime, socket, name, protocol, { remoteAddress: "127.0.0.1", remotePort: 1, localPort: 2 });
      const packet = Buffer.from(protocol.encode(MESSAGES[name], conn));
      const chunk = Buffer.concat(Array.from({ length: packetsPerChunk }, () => packet));
      written = 0;
      const start = performance.now();
      for (let i = 0; i < CHUNKS; i++) conn.onData(chunk);
      const ns = ((performance.now() - start) * 1e6) / (CHUNKS * packetsPerChunk);
      if (written !== chunk.length * CHUNKS) throw new Error(`${root}: ${written} bytes echoed, ${chunk.length * CHUNKS} sent`);
      conn.onClosed();
      return ns;
    },
  };
}

const subjects = await Promise.all(roots.map(load));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${CHUNKS} chunks per round, ${ROUNDS} alternating rounds, median ns per message, Bun ${Bun.version}`);
for (const protocol of ["text", "frame", "json"] as const) {
  for (const perChunk of [1, 8]) {
    const times = subjects.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? subjects.map((_, i) => i) : subjects.map((_, i) => i).reverse();
      for (const i of order) times[i]!.push(subjects[i]!.run(perChunk, protocol));
    }
    const cells = subjects.map((s, i) => `${s.root.replace(`${resolve(import.meta.dir, "..")}/`, "")} ${median(times[i]!).toFixed(0)} ns`);
    console.log(`${protocol}, ${perChunk} packet(s) a chunk: ${cells.join(" | ")}`);
  }
}

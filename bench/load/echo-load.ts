// The load-generator process (`bun echo-load.ts <http|ws|text|frame|json|udp> <port> <connections> <window> <seconds>`): prints one JSON LoadResult.
import { httpLoad } from "./http-load.ts";
import type { LoadResult } from "./result.ts";
import { nativeEcho, runNativeEcho } from "./native-echo.ts";
import { STREAM_KINDS, type StreamKind, streamEcho, WIRES } from "./stream-echo.ts";
import { udpEcho } from "./udp-echo.ts";

const HOST = "127.0.0.1";
const [kind, ...numbers] = process.argv.slice(2);
const [port, connections, window, seconds] = numbers.map(Number);
if (!port || !connections || !window || !seconds) {
  console.error("usage: bun bench/load/echo-load.ts <http|ws|text|frame|json|udp> <port> <connections> <window> <seconds>");
  process.exit(2);
}

/** text, frame and json through the C generator (BENCH_LOAD=bun: the Bun one, as before); ws always the Bun one. */
function stream(kind: StreamKind): Promise<LoadResult> {
  const load = { host: HOST, port: port!, connections: connections!, window: window!, seconds: seconds! };
  const native = kind !== "ws" && process.env.BENCH_LOAD !== "bun" ? nativeEcho() : null;
  if (native === null) return streamEcho({ kind, ...load });
  return runNativeEcho(native, { ...load, request: WIRES[kind]().request });
}

let result: LoadResult;
// For http, `window` is the pipeline depth: requests written at once per connection.
if (kind === "http") result = await httpLoad({ host: HOST, port, connections, seconds, pipeline: window });
else if ((STREAM_KINDS as readonly string[]).includes(kind!)) result = await stream(kind as StreamKind);
else if (kind === "udp") result = await udpEcho({ host: HOST, port, sockets: connections, window, seconds });
else throw new Error(`unknown kind ${kind}`);
console.log(JSON.stringify(result));
// Sockets still closing must not keep the process up.
process.exit(0);

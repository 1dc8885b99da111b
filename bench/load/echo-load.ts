// The load-generator process (`bun echo-load.ts <http|ws|text|udp> <port> <connections> <window> <seconds>`): prints one JSON LoadResult.
import { httpLoad } from "./http-load.ts";
import type { LoadResult } from "./result.ts";
import { streamEcho } from "./stream-echo.ts";
import { udpEcho } from "./udp-echo.ts";

const HOST = "127.0.0.1";
const [kind, ...numbers] = process.argv.slice(2);
const [port, connections, window, seconds] = numbers.map(Number);
if (!port || !connections || !window || !seconds) {
  console.error("usage: bun bench/load/echo-load.ts <http|ws|text|udp> <port> <connections> <window> <seconds>");
  process.exit(2);
}

let result: LoadResult;
// For http, `window` is the pipeline depth: requests written at once per connection.
if (kind === "http") result = await httpLoad({ host: HOST, port, connections, seconds, pipeline: window });
else if (kind === "ws" || kind === "text") result = await streamEcho({ kind, host: HOST, port, connections, window, seconds });
else if (kind === "udp") result = await udpEcho({ host: HOST, port, sockets: connections, window, seconds });
else throw new Error(`unknown kind ${kind}`);
console.log(JSON.stringify(result));
// Sockets still closing must not keep the process up.
process.exit(0);

// Opens and holds N idle connections (`bun idle-holder.ts <ws|text> <port> <count> <first source address> [in flight]`), then waits to be killed.
import net from "node:net";
import { upgradeRequest } from "./wire.ts";

/**
 * Far below the ephemeral port range (32768-60999) of one source address: bind(addr, 0) gets slow as an address's
 * ports fill up (measured: 3,000 connects in 0.24 s on a fresh address, 9.3 s on one with TIME_WAIT leftovers).
 */
const PER_SOURCE_ADDRESS = 2_000;
const [kind, portArg, countArg, firstSource, parallelArg] = process.argv.slice(2);
/** Connects in flight at once: stays far below the listen backlog (somaxconn); several holders share it. */
const PARALLEL = Number(parallelArg ?? 256);
/** SYN retries come at 1, 3 and 7 s: a starved server still accepts within this. */
const CONNECT_TIMEOUT_MS = 20_000;

const port = Number(portArg);
const count = Number(countArg);
if ((kind !== "ws" && kind !== "text") || !port || !count || !firstSource) {
  console.error("usage: bun bench/load/idle-holder.ts <ws|text> <port> <count> <first source address, e.g. 127.10.0.1>");
  process.exit(2);
}

/** The i-th connection's source address: 127.a.b.c counting up from firstSource, PER_SOURCE_ADDRESS connections each. */
function sourceFor(i: number): string {
  const parts = firstSource!.split(".").map(Number);
  const value = ((parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) + Math.floor(i / PER_SOURCE_ADDRESS);
  return `127.${(value >> 16) & 255}.${(value >> 8) & 255}.${value & 255}`;
}

const sockets: net.Socket[] = [];
const failures = new Map<string, number>();
/** Held connections the server closed since (an idleTimeout shorter than the run would): reported as `lost N`. */
let lost = 0;
let lostReport: ReturnType<typeof setTimeout> | null = null;
function countLost(): void {
  lost++;
  lostReport ??= setTimeout(() => {
    lostReport = null;
    console.log(`lost ${lost}`);
  }, 100);
}

function open(i: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress: sourceFor(i) });
    const fail = (why: string) => {
      failures.set(why, (failures.get(why) ?? 0) + 1);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(() => fail("timeout"), CONNECT_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      socket.removeAllListeners("data");
      socket.once("close", countLost);
      sockets.push(socket);
      resolve();
    };
    socket.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(err.code ?? err.message);
    });
    socket.once("connect", () => {
      if (kind === "text") return done();
      socket.write(upgradeRequest("127.0.0.1", port));
      let header = "";
      socket.on("data", (chunk) => {
        header += chunk.toString("latin1");
        if (!header.includes("\r\n\r\n")) return;
        if (header.startsWith("HTTP/1.1 101")) done();
        else {
          clearTimeout(timer);
          fail(`handshake ${header.slice(0, 12)}`);
        }
      });
    });
  });
}

const started = performance.now();
let next = 0;
let stop = false;
async function lane(): Promise<void> {
  while (!stop && next < count) {
    await open(next++);
    // A lost source address or an fd limit fails every later connect too: stop early and report where.
    if ([...failures.values()].reduce((a, b) => a + b, 0) > 100) stop = true;
  }
}
await Promise.all(Array.from({ length: PARALLEL }, lane));
const seconds = (performance.now() - started) / 1000;
console.log(`held ${JSON.stringify({ held: sockets.length, seconds, failures: Object.fromEntries(failures) })}`);
// Idle from here on: the benchmark reads the server's memory, then kills this process group.
setInterval(() => {}, 1 << 30);

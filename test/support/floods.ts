// Attack clients for the flood tests (partial packets, unfinished bodies, connection floods) and /proc readings of a worker.
import { readFileSync } from "node:fs";
import net from "node:net";

/** Resident memory of a process, bytes (VmRSS). */
export function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
}

/** User + system CPU time of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** A process's CPU use over `ms`, as a fraction of one core (clock ticks are 100 a second on Linux). */
export async function cpuShare(pid: number, ms: number): Promise<number> {
  const before = cpuTicks(pid);
  await Bun.sleep(ms); // deliberate: the measuring window itself
  return (cpuTicks(pid) - before) / 100 / (ms / 1000);
}

/** Samples a process's RSS every 50 ms until `during` settles; returns the highest seen. */
export async function peakRss(pid: number, during: Promise<unknown>): Promise<number> {
  let peak = rssOf(pid);
  let done = false;
  during.finally(() => (done = true));
  while (!done) {
    peak = Math.max(peak, rssOf(pid));
    await Bun.sleep(50); // deliberate: the sampling period
  }
  return Math.max(peak, rssOf(pid));
}

export interface FloodResult {
  /** Connections the server closed before the client had sent everything. */
  closedByServer: number;
  /** Connections that sent everything and were still open when the flood ended. */
  stillOpen: number;
  sockets: net.Socket[];
}

const CHUNK = Buffer.alloc(64 * 1024, 97);

/**
 * `connections` clients each write `preamble` then `bytesEach` bytes of `framed(CHUNK)` as fast as the server takes
 * them, never finishing their packet or body. Resolves once every client has sent it all or been closed; the sockets
 * of the ones still open are returned (the caller destroys them).
 */
export async function partialFlood(
  target: { port: number; host?: string; localAddress?: string },
  connections: number,
  bytesEach: number,
  preamble = "",
  framed: (chunk: Buffer) => Buffer = (chunk) => chunk,
): Promise<FloodResult> {
  const piece = framed(CHUNK);
  const result: FloodResult = { closedByServer: 0, stillOpen: 0, sockets: [] };
  await Promise.all(
    Array.from({ length: connections }, () => {
      const { promise, resolve } = Promise.withResolvers<void>();
      const socket = net.connect({ port: target.port, host: target.host ?? "127.0.0.1", localAddress: target.localAddress });
      let sent = 0;
      let finished = false;
      socket.on("error", () => {});
      socket.on("close", () => {
        if (!finished) result.closedByServer++;
        finished = true;
        resolve();
      });
      const pump = () => {
        while (sent < bytesEach && !socket.destroyed) {
          sent += CHUNK.length;
          if (!socket.write(piece)) return void socket.once("drain", pump);
        }
        if (!finished && !socket.destroyed) {
          finished = true;
          result.stillOpen++;
          result.sockets.push(socket);
          resolve();
        }
      };
      socket.on("connect", () => {
        if (preamble) socket.write(preamble);
        pump();
      });
      return promise;
    }),
  );
  return result;
}

/** An HTTP request with a chunked body whose final chunk never comes. */
export const CHUNKED_PREAMBLE = "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
export const asChunk = (chunk: Buffer): Buffer => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);

/** Opens `count` connections from `localAddress`, 200 at a time, and keeps them: how many the server closed so far, and the rest. */
export async function connectionFlood(port: number, localAddress: string, count: number): Promise<{ refused: () => number; open: Set<net.Socket> }> {
  const open = new Set<net.Socket>();
  let refused = 0;
  const batch = 200;
  for (let start = 0; start < count; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, () => {
        const { promise, resolve } = Promise.withResolvers<void>();
        const socket = net.connect({ port, host: "127.0.0.1", localAddress });
        socket.on("error", () => {});
        socket.on("connect", () => {
          open.add(socket);
          resolve();
        });
        socket.on("close", () => {
          open.delete(socket);
          refused++;
          resolve();
        });
        return promise;
      }),
    );
  }
  return { refused: () => refused, open };
}
